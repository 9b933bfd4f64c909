// name: ties-in-force
// title: Ties in force in a year range
// question: Which ties held in a given year or range of years?
// param: fromYear integer -- first year of the range
// param: toYear integer = null -- last year of the range (default: fromYear)
// param: types string[] = null -- only these relationship types (e.g. ["FINANCED", "OWNS"]); null for all but LOCATED_IN and GOVERNS
// param: openEnded boolean = true -- count a tie without validTo as still holding after the year its source speaks of
// param: limit integer = 1000 -- how many ties (the earliest first)
// param: skip integer = 0 -- ties to pass over first, to page through the rest
// column: from -- start of the tie
// column: relationship -- its type
// column: to -- end of the tie
// column: start -- first year known to hold (validFrom, else year, else asOf)
// column: end -- last year known to hold (validTo; null when open-ended)
// column: asOf -- the year the source speaks of
// column: confidence -- stated, reported or inferred
// column: evidence -- quotes with their sources
// column: note -- the tie's note
// column: projectNote -- the note of a project at either end
// column: hops -- the tie (used for pictures)
// visual: neighbourhood
CALL () {
  // One branch per relationship type, each reading its ties earliest first from the type's index on
  // `start` (validFrom, else year, else asOf, kept by the writer) and stopping after the first skip + limit:
  // sorting every tie of every type took seconds at a million ties. A branch runs only when its type is asked
  // for (its bound is null otherwise, and its index is not read). A tie ends at validTo; without one, in the
  // year its source speaks of, unless openEnded.
  MATCH (a)-[r:COMMISSIONED]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'COMMISSIONED' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:CONTRACTED_FOR]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'CONTRACTED_FOR' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:DESIGNATED]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'DESIGNATED' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:EXCLUDED]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'EXCLUDED' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:FINANCED]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'FINANCED' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:GOVERNS]->(b) WHERE r.start <= CASE WHEN 'GOVERNS' IN coalesce($types, []) THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:HAS_PARTY_COMMITTEE]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'HAS_PARTY_COMMITTEE' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:HOLDS_POSITION]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'HOLDS_POSITION' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:LOCATED_IN]->(b) WHERE r.start <= CASE WHEN 'LOCATED_IN' IN coalesce($types, []) THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:OWNS]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'OWNS' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:PARTNERED_WITH]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'PARTNERED_WITH' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:PART_OF]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'PART_OF' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:SUPPLIES]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'SUPPLIES' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
  UNION ALL
  MATCH (a)-[r:TRANSFERRED]->(b) WHERE r.start <= CASE WHEN $types IS NULL OR 'TRANSFERRED' IN $types THEN coalesce($toYear, $fromYear) END
    AND coalesce(r.validTo, CASE WHEN $openEnded THEN null ELSE coalesce(r.asOf, r.year) END, $fromYear) >= $fromYear
  RETURN a, r, b ORDER BY r.start, a.name, b.name, r.id LIMIT $skip + $limit
}
WITH a, r, b, r.start AS start,
     CASE WHEN r.validTo IS NOT NULL THEN r.validTo
          WHEN $openEnded THEN null
          ELSE coalesce(r.asOf, r.year) END AS end
// the page first; quotes and pictures are read for its ties only
ORDER BY start, type(r), a.name, b.name, r.id
SKIP $skip
LIMIT $limit
RETURN a.name AS from, type(r) AS relationship, b.name AS to, start, end, r.asOf AS asOf,
       r.confidence AS confidence,
       [i IN range(0, size(r.evidence) - 1) | r.sources[i] + ': ' + r.evidence[i]] AS evidence,
       r.note AS note, [p IN [a, b] WHERE p:Project | p.note][0] AS projectNote,
       [{from: a.id, fromName: a.name, fromLabel: [l IN labels(a) WHERE l <> 'Entity'][0],
         type: type(r), to: b.id, toName: b.name, toLabel: [l IN labels(b) WHERE l <> 'Entity'][0],
         properties: properties(r)}] AS hops
ORDER BY start, relationship, from, to, r.id
