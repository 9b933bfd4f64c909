// name: neighbourhood
// title: Neighbourhood
// question: What lies within one, two or three ties of an entity? Every tie between two entities that close to it (the ego graph), nearest first, up to a limit.
// param: entity string -- id of the entity at the centre
// param: depth integer 1..3 = 1 -- how many ties away to look: 1, 2 or 3
// param: limit integer 1..10000 = 200 -- most ties to return, nearest first (tiesInReach says how many there are)
// param: types string[] = null -- only ties of these relationship types (e.g. ["FINANCED", "OWNS"]); null for all but LOCATED_IN and GOVERNS, which would link everything in one country
// column: from -- name of the tie's start
// column: relationship -- its type
// column: to -- name of its end
// column: distance -- ties between the centre and the tie's nearer end (0: the tie touches the centre)
// column: confidence -- stated, reported or inferred
// column: year -- the tie's year, else the year its source speaks of
// column: note -- the tie's note
// column: evidence -- quotes with their sources
// column: tiesInReach -- how many ties the neighbourhood holds before the limit (the same on every row)
// column: hops -- the tie (used for pictures)
// visual: neighbourhood
MATCH (centre:Entity {id: $entity})
// pasted into Neo4j Browser the parameters are not checked beforehand: say what is wrong instead of guessing
WHERE apoc.util.validatePredicate(NOT $depth IN [1, 2, 3], 'depth must be 1, 2 or 3, not %s', [$depth])
  AND apoc.util.validatePredicate(NOT $limit >= 1, 'limit must be at least 1, not %s', [$limit])
// how far each entity is: one shortest path to each, breadth-first. Hop bounds take only literals, so
// there is one branch per depth, and only the branch of $depth runs (the others UNWIND an empty list)
OPTIONAL CALL (centre) {
  UNWIND CASE WHEN $depth = 1 THEN [true] ELSE [] END AS thisBranch
  MATCH p = ANY SHORTEST (centre)-[r WHERE ($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS'])
                                           OR type(r) IN $types]-{1,1}(other:Entity)
  WHERE other <> centre
  RETURN other, length(p) AS distance
  UNION ALL
  UNWIND CASE WHEN $depth = 2 THEN [true] ELSE [] END AS thisBranch
  MATCH p = ANY SHORTEST (centre)-[r WHERE ($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS'])
                                           OR type(r) IN $types]-{1,2}(other:Entity)
  WHERE other <> centre
  RETURN other, length(p) AS distance
  UNION ALL
  UNWIND CASE WHEN $depth = 3 THEN [true] ELSE [] END AS thisBranch
  MATCH p = ANY SHORTEST (centre)-[r WHERE ($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS'])
                                           OR type(r) IN $types]-{1,3}(other:Entity)
  WHERE other <> centre
  RETURN other, length(p) AS distance
}
WITH centre, collect(other) AS others, collect(distance) AS distances
WITH apoc.map.fromLists([n IN [centre] + others | n.id], [0] + distances) AS distanceOf
// every tie (of the types asked for) whose two ends are both within reach, each once (from its start)
UNWIND keys(distanceOf) AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE distanceOf[b.id] IS NOT NULL
  AND (($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS']) OR type(r) IN $types)
WITH a, r, b, distanceOf[a.id] AS fromDistance, distanceOf[b.id] AS toDistance
WITH a, r, b, CASE WHEN fromDistance < toDistance THEN fromDistance ELSE toDistance END AS distance,
     CASE WHEN fromDistance < toDistance THEN toDistance ELSE fromDistance END AS farther
ORDER BY distance, farther, type(r), r.id
WITH collect({a: a, r: r, b: b, distance: distance}) AS ties
UNWIND ties[..$limit] AS tie
WITH tie.a AS a, tie.r AS r, tie.b AS b, tie.distance AS distance, size(ties) AS tiesInReach
RETURN a.name AS from, type(r) AS relationship, b.name AS to, distance,
       r.confidence AS confidence, coalesce(r.year, r.asOf) AS year, r.note AS note,
       [i IN range(0, size(r.evidence) - 1) | r.sources[i] + ': ' + r.evidence[i]] AS evidence,
       tiesInReach,
       [{from: a.id, fromName: a.name, fromLabel: [l IN labels(a) WHERE l <> 'Entity'][0],
         type: type(r), to: b.id, toName: b.name, toLabel: [l IN labels(b) WHERE l <> 'Entity'][0],
         properties: properties(r)}] AS hops
