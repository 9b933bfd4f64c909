// name: weakly-sourced
// title: Weakly sourced facts
// question: Which nodes and ties rest on fewer than N distinct sources?
// param: minSources integer = 2 -- a fact with fewer distinct sources than this is listed
// param: kind string = null -- `node` or `relationship`; null for both
// param: limit integer = 1000 -- how many facts (the fewest sources first)
// param: skip integer = 0 -- facts to pass over first, to page through the rest
// column: kind -- node or relationship
// column: item -- node id, or the tie as `from -TYPE-> to`
// column: type -- label or relationship type
// column: sources -- the distinct sources it rests on
// column: confidence -- for ties: stated, reported or inferred
// column: note -- the node's or the tie's note
CALL () {
  UNWIND CASE WHEN $kind IS NULL OR $kind = 'node' THEN [true] ELSE [] END AS readNodes
  MATCH (n:Entity)
  WITH n, apoc.coll.toSet(n.sources) AS sources
  WHERE size(sources) < $minSources
  RETURN 'node' AS kind, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, n.id AS item, sources, n AS fact
  UNION ALL
  UNWIND CASE WHEN $kind IS NULL OR $kind = 'relationship' THEN [true] ELSE [] END AS readRelationships
  MATCH (a)-[r]->(b)
  WITH a, r, b, apoc.coll.toSet(r.sources) AS sources
  WHERE size(sources) < $minSources
  RETURN 'relationship' AS kind, type(r) AS type, a.id + ' -' + type(r) + '-> ' + b.id AS item, sources, r AS fact
}
// the page first; confidence and notes are read for its facts only
WITH kind, type, item, sources, fact
ORDER BY size(sources), kind, type, item
SKIP $skip
LIMIT $limit
RETURN kind, item, type, sources, CASE WHEN kind = 'relationship' THEN fact.confidence END AS confidence,
       fact.note AS note
ORDER BY size(sources), kind, type, item
