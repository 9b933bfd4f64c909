// name: owners-of
// title: Ownership chain (owners)
// question: Who owns this entity, directly or through intermediaries, and with what compounded share?
// param: entity string -- id of the owned entity
// param: maxDepth integer = 6 -- longest chain of OWNS ties to follow (at most 10)
// column: owner -- name of the (direct or indirect) owner
// column: ownerId -- its id
// column: ownerType -- its label
// column: depth -- number of OWNS ties between owner and entity
// column: chain -- names from the owner down to the entity
// column: shares -- share at each hop, owner first (null where unknown)
// column: compoundedShare -- product of the shares where every share on the path is known, else null
// column: controlling -- true when every hop is a controlling stake
// column: hops -- every tie of the chain with its properties and evidence (used for pictures)
// visual: ownership
MATCH path = (owner:Entity)-[:OWNS]->{1,10}(owned:Entity {id: $entity})
WHERE length(path) <= $maxDepth
WITH owner, path, relationships(path) AS ties
RETURN owner.name AS owner, owner.id AS ownerId, [l IN labels(owner) WHERE l <> 'Entity'][0] AS ownerType,
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
ORDER BY depth, owner
