// name: holdings-of
// title: Ownership chain (holdings)
// question: What does this entity own, directly or through subsidiaries, and with what compounded share on each path, and what total stake over all paths?
// param: entity string -- id of the owner
// param: maxDepth integer = 6 -- longest chain of OWNS ties to follow (at most 10)
// column: owned -- name of the (direct or indirect) holding
// column: ownedId -- its id
// column: ownedType -- its label
// column: depth -- number of OWNS ties between entity and holding
// column: chain -- names from the entity down to the holding
// column: shares -- share at each hop, entity first (null where unknown)
// column: compoundedShare -- product of the shares where every share on the path is known, else null
// column: indirectAsStated -- true when a tie of the path is a stake the source states as indirect
// column: controlling -- true when every hop is a controlling stake
// column: effectiveShare -- the entity's stake in the holding, all paths together: the sum over its paths of the compounded shares (paths through a stake a source states as indirect left out, see statedIndirectShare); the same on each of its rows
// column: effectiveShareIsLowerBound -- true when a share on one of those paths is unknown (taken as its stated minimum, else 0), so the true stake may be larger
// column: effectiveShareText -- the same in words, e.g. `100.0%` or `at least 23.5% (a share on a path is unknown)`
// column: statedIndirectShare -- a stake the source itself states as held through intermediaries (`direct: false`), kept apart from the computed one
// column: notes -- what is uncertain about each tie of the path
// column: hops -- every tie of the chain with its properties and evidence (used for pictures)
// visual: ownership
MATCH path = (owner:Entity {id: $entity})-[:OWNS]->{1,10}(owned:Entity)
WHERE length(path) <= $maxDepth
WITH owned, path, relationships(path) AS ties
WITH owned, collect({path: path, ties: ties, stated: any(r IN ties WHERE coalesce(r.direct, true) = false),
                       known: all(r IN ties WHERE r.share IS NOT NULL),
                       lowest: reduce(s = 1.0, r IN ties | s * coalesce(r.share, r.shareMin, 0.0))}) AS paths
// every path to one holding is summed: 23.5% held directly and 100% of a holder of the other 76.5% make 100%
WITH owned, paths, [p IN paths WHERE NOT p.stated] AS computed
WITH owned, paths, computed,
     CASE WHEN size(computed) > 0 THEN reduce(t = 0.0, p IN computed | t + p.lowest) END AS effectiveShare,
     any(p IN computed WHERE NOT p.known) AS lowerBound,
     [p IN paths WHERE p.stated AND size(p.ties) = 1 | p.ties[0].share] AS statedIndirect
UNWIND paths AS p
WITH owned, p.path AS path, p.ties AS ties, p.stated AS stated, effectiveShare, lowerBound, statedIndirect
RETURN owned.name AS owned, owned.id AS ownedId, [l IN labels(owned) WHERE l <> 'Entity'][0] AS ownedType,
       length(path) AS depth,
       [n IN nodes(path) | n.name] AS chain,
       [r IN ties | r.share] AS shares,
       CASE WHEN all(r IN ties WHERE r.share IS NOT NULL)
            THEN reduce(s = 1.0, r IN ties | s * r.share) END AS compoundedShare,
       stated AS indirectAsStated,
       all(r IN ties WHERE r.controlling = true) AS controlling,
       effectiveShare, lowerBound AS effectiveShareIsLowerBound,
       CASE WHEN effectiveShare IS NULL THEN null
            ELSE CASE WHEN lowerBound THEN 'at least ' ELSE '' END + toString(round(effectiveShare * 100, 2)) + '%' +
                 CASE WHEN lowerBound THEN ' (a share on a path is unknown)' ELSE '' END END AS effectiveShareText,
       CASE WHEN size(statedIndirect) > 0 THEN reduce(t = 0.0, s IN statedIndirect | t + coalesce(s, 0)) END AS statedIndirectShare,
       [r IN ties WHERE r.note IS NOT NULL | startNode(r).name + ' -> ' + endNode(r).name + ': ' + r.note] AS notes,
       [r IN ties | {from: startNode(r).id, fromName: startNode(r).name,
                     fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
                     type: type(r), to: endNode(r).id, toName: endNode(r).name,
                     toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
                     properties: properties(r)}] AS hops
ORDER BY depth, owned
