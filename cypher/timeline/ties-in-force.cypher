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
MATCH (a)-[r]->(b)
WHERE (($types IS NULL AND NOT type(r) IN ['LOCATED_IN', 'GOVERNS']) OR type(r) IN $types) AND a:Entity AND b:Entity
WITH a, r, b, coalesce(r.validFrom, r.year, r.asOf) AS start,
     CASE WHEN r.validTo IS NOT NULL THEN r.validTo
          WHEN $openEnded THEN null
          ELSE coalesce(r.asOf, r.year) END AS end
WHERE start <= coalesce($toYear, $fromYear) AND (end IS NULL OR end >= $fromYear)
// the page first; quotes and pictures are read for its ties only
WITH a, r, b, start, end
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
