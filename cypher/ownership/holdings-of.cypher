// name: holdings-of
// title: Ownership chain (holdings)
// question: What does this entity own, directly or through subsidiaries, and with what compounded share?
// param: entity string -- id of the owner
// param: maxDepth integer = 6 -- longest chain of OWNS ties to follow (at most 10)
// column: owned -- name of the (direct or indirect) holding
// column: ownedId -- its id
// column: ownedType -- its label
// column: depth -- number of OWNS ties between entity and holding
// column: chain -- names from the entity down to the holding
// column: shares -- share at each hop, entity first (null where unknown)
// column: compoundedShare -- product of the shares where every share on the path is known, else null
// column: controlling -- true when every hop is a controlling stake
// column: hops -- every tie of the chain with its properties and evidence (used for pictures)
// visual: ownership
MATCH path = (owner:Entity {id: $entity})-[:OWNS]->{1,10}(owned:Entity)
WHERE length(path) <= $maxDepth
WITH owned, path, relationships(path) AS ties
RETURN owned.name AS owned, owned.id AS ownedId, [l IN labels(owned) WHERE l <> 'Entity'][0] AS ownedType,
       length(path) AS depth,
       [n IN nodes(path) | n.name] AS chain,
       [r IN ties | r.share] AS shares,
       CASE WHEN all(r IN ties WHERE r.share IS NOT NULL)
            THEN reduce(s = 1.0, r IN ties | s * r.share) END AS compoundedShare,
       all(r IN ties WHERE r.controlling = true) AS controlling,
       [r IN ties | {from: startNode(r).id, fromName: startNode(r).name,
                     fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
                     type: type(r), to: endNode(r).id, toName: endNode(r).name,
                     toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
                     properties: properties(r)}] AS hops
ORDER BY depth, owned
