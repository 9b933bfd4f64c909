// name: weakly-sourced
// title: Weakly sourced facts
// question: Which nodes and ties rest on fewer than N distinct sources?
// param: minSources integer = 2 -- a fact with fewer distinct sources than this is listed
// param: kind string = null -- `node` or `relationship`; null for both
// column: kind -- node or relationship
// column: item -- node id, or the tie as `from -TYPE-> to`
// column: type -- label or relationship type
// column: sources -- the distinct sources it rests on
// column: confidence -- for ties: stated, reported or inferred
// column: note -- the node's or the tie's note
CALL () {
  MATCH (n:Entity)
  RETURN 'node' AS kind, n.id AS item, [l IN labels(n) WHERE l <> 'Entity'][0] AS type,
         apoc.coll.toSet(n.sources) AS sources, null AS confidence, n.note AS note
  UNION ALL
  MATCH (a)-[r]->(b)
  RETURN 'relationship' AS kind, a.id + ' -' + type(r) + '-> ' + b.id AS item, type(r) AS type,
         apoc.coll.toSet(r.sources) AS sources, r.confidence AS confidence, r.note AS note
}
WITH kind, item, type, sources, confidence, note
WHERE size(sources) < $minSources AND ($kind IS NULL OR kind = $kind)
RETURN kind, item, type, sources, confidence, note
ORDER BY size(sources), kind, type, item
