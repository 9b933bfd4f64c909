// name: disagreements
// title: Disagreements between sources
// question: Which nodes and ties have a property that sources give different values of? Each value side by side, with the sources that give it, their dates and their quotes, and the value the graph shows (the most recent source's).
// param: label string = null -- only nodes of this label or ties of this type (`Project`, `FINANCED`); null for all
// param: property string = null -- only this property (`status`); null for all
// param: entity string = null -- only this entity (its id) and the ties it is an end of; null for all
// column: kind -- node or relationship
// column: item -- node id, or the tie as `from -TYPE-> to`
// column: name -- the node's name, or the names of the tie's ends
// column: type -- label or relationship type
// column: property -- the property the sources disagree on
// column: shown -- the value the property shows: the most recent source's, then the smallest (docs/architecture.md)
// column: value -- one value that some source gives
// column: sources -- the sources that give this value
// column: dates -- their publication dates, in the order of `sources`
// column: quotes -- their quotes on this node or tie, as `source: quote`
// column: note -- the node's or the tie's note
WITH CASE WHEN $property IS NULL THEN '*'
          ELSE '"' + replace(replace($property, '\\', '\\\\'), '"', '\\"') + '"' END AS term
// `disputed` lists the properties the sources disagree on, and only disputed nodes and ties have it: the
// keyword full-text indexes `entity_disputed` and `relationship_disputed` find them without reading the
// rest of the graph; `*` finds every one, the quoted property name those disputed on that property
CALL (term) {
  CALL db.index.fulltext.queryNodes('entity_disputed', term) YIELD node AS n
  WHERE $entity IS NULL OR n.id = $entity
  RETURN 'node' AS kind, n.id AS item, n.name AS name, [l IN labels(n) WHERE l <> 'Entity'][0] AS type, n AS holder
  UNION ALL
  CALL db.index.fulltext.queryRelationships('relationship_disputed', term) YIELD relationship AS r
  WITH r, startNode(r) AS a, endNode(r) AS b
  WHERE $entity IS NULL OR $entity IN [a.id, b.id]
  RETURN 'relationship' AS kind, a.id + ' -' + type(r) + '-> ' + b.id AS item, a.name + ' → ' + b.name AS name,
         type(r) AS type, r AS holder
}
WITH kind, item, name, type, holder
WHERE $label IS NULL OR type = $label
UNWIND holder.disputed AS property
WITH kind, item, name, type, holder, property
WHERE $property IS NULL OR property = $property
// `<property>Values[i]` is the value that `<property>Sources[i]` gives
UNWIND range(0, size(holder[property + 'Sources']) - 1) AS i
WITH kind, item, name, type, holder, property,
     holder[property + 'Values'][i] AS value, holder[property + 'Sources'][i] AS source
OPTIONAL MATCH (s:Source {id: source})
WITH kind, item, name, type, holder, property, value, collect(source) AS sources,
     collect(coalesce(s.date, '(no Source node)')) AS dates
RETURN kind, item, name, type, property, holder[property] AS shown, value, sources, dates,
       [i IN range(0, size(holder.sources) - 1) WHERE holder.sources[i] IN sources
        | holder.sources[i] + ': ' + holder.evidence[i]] AS quotes,
       holder.note AS note
ORDER BY kind, type, item, property, value
