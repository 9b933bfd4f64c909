// name: entity-profile
// title: Entity profile
// question: Everything directly known about one entity: its properties and every tie, with sources and quotes.
// param: entity string -- id of the entity
// column: entity -- name
// column: label -- its label
// column: aliases -- other names
// column: direction -- `out` (entity → other), `in` (other → entity), or null on the row for an entity without ties
// column: relationship -- relationship type
// column: other -- the entity at the other end
// column: otherLabel -- its label
// column: details -- the tie's own properties (amount, role, share, status, ...); a disputed one shows the most recent source's value
// column: year -- the tie's year, else the year its source speaks of
// column: confidence -- stated, reported or inferred
// column: evidence -- quotes with their sources
// column: disputed -- the tie's properties that sources give different values of, each value with its sources (on the row for an entity without ties, the entity's); the `disagreements` query gives dates and quotes
// column: note -- the tie's note (on the row for an entity without ties, the entity's)
// column: entityNote -- the entity's own note
// column: entityDisputed -- the entity's own properties that sources give different values of, each value with its sources
// column: hops -- the tie (used for pictures)
// visual: neighbourhood
MATCH (n:Entity {id: $entity})
OPTIONAL MATCH (n)-[r]-(other)
// a disputed property `p` keeps the value `pSources[i]` gives in `pValues[i]`
WITH n, r, other,
     [k IN coalesce(n.disputed, []) |
      k + ': ' + apoc.text.join([i IN range(0, size(n[k + 'Sources']) - 1)
                                 | toString(n[k + 'Values'][i]) + ' (' + n[k + 'Sources'][i] + ')'], ' / ')] AS entityDisputed,
     [k IN coalesce(r.disputed, []) |
      k + ': ' + apoc.text.join([i IN range(0, size(r[k + 'Sources']) - 1)
                                 | toString(r[k + 'Values'][i]) + ' (' + r[k + 'Sources'][i] + ')'], ' / ')] AS disputed
ORDER BY type(r), other.name
RETURN n.name AS entity, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.aliases AS aliases,
       CASE WHEN r IS NULL THEN null WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction,
       type(r) AS relationship, other.name AS other,
       [l IN labels(other) WHERE l <> 'Entity'][0] AS otherLabel,
       CASE WHEN r IS NULL THEN null
            ELSE apoc.map.removeKeys(properties(r), ['id', 'sources', 'evidence', 'confidence', 'asOf', 'note', 'disputed', 'start']
                                     + [k IN keys(r) WHERE k ENDS WITH 'Sources' OR k ENDS WITH 'Values']) END AS details,
       coalesce(r.year, r.asOf) AS year, r.confidence AS confidence,
       CASE WHEN r IS NULL
            THEN [i IN range(0, size(n.evidence) - 1) | n.sources[i] + ': ' + n.evidence[i]]
            ELSE [i IN range(0, size(r.evidence) - 1) | r.sources[i] + ': ' + r.evidence[i]] END AS evidence,
       CASE WHEN r IS NULL THEN entityDisputed ELSE disputed END AS disputed,
       CASE WHEN r IS NULL THEN n.note ELSE r.note END AS note, n.note AS entityNote, entityDisputed,
       CASE WHEN r IS NULL THEN [] ELSE
         [{from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           properties: properties(r)}] END AS hops
