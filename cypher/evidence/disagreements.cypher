// name: disagreements
// title: Disagreements between sources
// question: Which nodes and ties have a property that sources give different values of? Each value side by side, with the sources that give it, their dates and their quotes, and the value the graph shows (the most recent source's).
// param: label string = null -- only nodes of this label or ties of this type (`Project`, `FINANCED`); null for all
// param: property string = null -- only this property (`status`); null for all
// param: entity string = null -- only this entity (its id) and the ties it is an end of; null for all
// param: limit integer = 1000 -- how many rows, in the order of the columns kind, type, item, property, value
// param: skip integer = 0 -- rows to pass over first, to page through the rest
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
// `disputed` lists the properties the sources disagree on, and only disputed nodes and ties have it. Without
// an entity, the keyword full-text indexes `entity_disputed` and `relationship_disputed` find them without
// reading the rest of the graph (`*` finds every one, the quoted property name those disputed on it); with
// one, the entity and its ties are read
CALL (term) {
  WITH term WHERE $entity IS NULL
  CALL db.index.fulltext.queryNodes('entity_disputed', term) YIELD node AS n
  RETURN n AS holder
  UNION ALL
  MATCH (n:Entity {id: $entity}) WHERE n.disputed IS NOT NULL
  RETURN n AS holder
  UNION ALL
  WITH term WHERE $entity IS NULL
  CALL db.index.fulltext.queryRelationships('relationship_disputed', term) YIELD relationship AS r
  RETURN r AS holder
  UNION ALL
  MATCH (:Entity {id: $entity})-[r]-() WHERE r.disputed IS NOT NULL
  RETURN DISTINCT r AS holder
}
WITH holder, holder:Entity AS isNode
WITH holder, isNode,
     CASE WHEN isNode THEN [l IN labels(holder) WHERE l <> 'Entity'][0] ELSE type(holder) END AS type
WHERE $label IS NULL OR type = $label
WITH holder, type, CASE WHEN isNode THEN 'node' ELSE 'relationship' END AS kind,
     CASE WHEN isNode THEN holder.id
          ELSE startNode(holder).id + ' -' + type + '-> ' + endNode(holder).id END AS item
UNWIND holder.disputed AS property
WITH kind, item, type, holder, property
WHERE $property IS NULL OR property = $property
// `<property>Values[i]` is the value that `<property>Sources[i]` gives
UNWIND range(0, size(holder[property + 'Sources']) - 1) AS i
WITH kind, item, type, holder, property,
     holder[property + 'Values'][i] AS value, holder[property + 'Sources'][i] AS source
WITH kind, item, type, holder, property, value, collect(source) AS sources
ORDER BY kind, type, item, property, value
SKIP $skip LIMIT $limit
// only the rows of this page are completed: names, dates, quotes
RETURN kind, item,
       CASE kind WHEN 'node' THEN holder.name ELSE startNode(holder).name + ' → ' + endNode(holder).name END AS name,
       type, property, holder[property] AS shown, value, sources,
       [source IN sources | coalesce(COLLECT { MATCH (s:Source {id: source}) RETURN s.date }[0], '(no Source node)')]
         AS dates,
       [i IN range(0, size(holder.sources) - 1) WHERE holder.sources[i] IN sources
        | holder.sources[i] + ': ' + holder.evidence[i]] AS quotes,
       holder.note AS note
ORDER BY kind, type, item, property, value
