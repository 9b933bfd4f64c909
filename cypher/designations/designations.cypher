// name: designations
// title: Designations
// question: Who is listed, sanctioned or banned by whom, under which programme, from and until when, on what evidence?
// param: entity string = null -- id of the designated entity; null for all
// param: designator string = null -- id of the government or body that designates; null for all
// param: programme string = null -- only programmes whose name contains this text (case-insensitive); null for all
// column: designator -- the government or body that lists, sanctions or bans
// column: designatorId -- its id
// column: entity -- the entity designated (a country where the source names a class of its companies, see entityCount)
// column: entityId -- its id
// column: entityLabel -- its label
// column: programme -- the list, sanction or order, in the source's words
// column: measure -- list, sanction or ban
// column: year -- year listed; null when the source gives none (see note)
// column: endYear -- year the listing ended (validTo); null while it holds or when unknown
// column: entityCount -- for a tie to a country: how many unnamed companies the measure covers
// column: confidence -- stated, reported or inferred
// column: evidence -- quotes with their sources
// column: note -- the tie's note: what is uncertain, how a year was read
// column: hops -- the tie (used for pictures)
// visual: neighbourhood
MATCH (designator:Entity)-[d:DESIGNATED]->(entity:Entity)
WHERE ($entity IS NULL OR entity.id = $entity)
  AND ($designator IS NULL OR designator.id = $designator)
  AND ($programme IS NULL OR toLower(d.programme) CONTAINS toLower($programme))
RETURN designator.name AS designator, designator.id AS designatorId,
       entity.name AS entity, entity.id AS entityId,
       [l IN labels(entity) WHERE l <> 'Entity'][0] AS entityLabel,
       d.programme AS programme, d.measure AS measure, d.year AS year, d.validTo AS endYear,
       d.entityCount AS entityCount, d.confidence AS confidence,
       [i IN range(0, size(d.evidence) - 1) | d.sources[i] + ': ' + d.evidence[i]] AS evidence,
       d.note AS note,
       [{from: designator.id, fromName: designator.name,
         fromLabel: [l IN labels(designator) WHERE l <> 'Entity'][0],
         type: 'DESIGNATED', to: entity.id, toName: entity.name,
         toLabel: [l IN labels(entity) WHERE l <> 'Entity'][0],
         properties: properties(d)}] AS hops
ORDER BY entity, coalesce(year, d.asOf), designator, programme
