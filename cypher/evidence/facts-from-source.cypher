// name: facts-from-source
// title: Facts from one source
// question: Every node and tie a given source supports, with the quotes it gives.
// param: source string -- id of the Source node (e.g. aspi-2019)
// column: kind -- node or relationship
// column: item -- node id, or the tie as `from -TYPE-> to`
// column: type -- label or relationship type
// column: confidence -- for ties: stated, reported or inferred
// column: quotes -- the quotes this source gives for the item
// column: note -- the node's or the tie's note: what is uncertain, how a value was derived
MATCH (s:Source {id: $source})
// `sources` is a list: the keyword full-text indexes of the schema find its values without a scan;
// the id is one quoted Lucene term, and `IN` keeps only exact members
WITH s, '"' + replace(replace(s.id, '\\', '\\\\'), '"', '\\"') + '"' AS term
CALL (s, term) {
  CALL db.index.fulltext.queryNodes('entity_sources', term) YIELD node AS n
  WHERE s.id IN n.sources
  RETURN 'node' AS kind, n.id AS item, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, null AS confidence,
         [i IN range(0, size(n.sources) - 1) WHERE n.sources[i] = s.id | n.evidence[i]] AS quotes, n.note AS note
  UNION ALL
  CALL db.index.fulltext.queryRelationships('relationship_sources', term) YIELD relationship AS r
  WHERE s.id IN r.sources
  RETURN 'relationship' AS kind, startNode(r).id + ' -' + type(r) + '-> ' + endNode(r).id AS item, type(r) AS type,
         r.confidence AS confidence,
         [i IN range(0, size(r.sources) - 1) WHERE r.sources[i] = s.id | r.evidence[i]] AS quotes, r.note AS note
}
RETURN kind, item, type, confidence, quotes, note
ORDER BY kind, type, item
