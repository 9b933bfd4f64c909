// name: country-ranking
// title: Countries ranked by projects
// question: Which countries host the most projects, of what value, and how much financing reached them? Each commitment counts once.
// policy: counting
// param: kind string = null -- only projects of this kind (safe city, smart city, ...), and only financing of such projects
// param: includeInferred boolean = false -- counting policy: also count ties that are only inferred
// param: includeNotHappened boolean = false -- counting policy: also count proposed, rejected, cancelled and aborted projects
// param: includeNotRecommended boolean = false -- counting policy: also count what the source does not recommend for aggregates (AidData's umbrella agreements, pledges, cancelled commitments)
// param: limit integer = 25 -- how many countries
// column: country -- country name
// column: countryId -- ISO code
// column: projects -- number of distinct projects located there that are counted
// column: valueUsd -- sum of the counted projects' valueUsd, where known
// column: cameras -- sum of the counted projects' camera counts, where known
// column: refused -- projects rejected, cancelled or aborted (counted or not)
// column: vendors -- number of distinct contractors of the counted projects
// column: lenders -- number of distinct lenders of the counted commitments to projects, borrowers and governments there
// column: financedUsd -- sum of amountUsd over those commitments, each once
// column: leftOut -- what the counting policy left out, projects and financing apart, by reason, with amounts
MATCH (project:Project)-[located:LOCATED_IN]->{1,2}(country:Country)
WHERE $kind IS NULL OR project.kind = $kind
WITH country, project, head(collect(head(located))) AS tie
WITH country, project, tie, project.status AS status
WITH country, project,
     CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
          WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
          WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
WITH country, collect(CASE WHEN leftOutBecause IS NULL THEN project END) AS projects,
     size(collect(CASE WHEN project.status IN ['rejected', 'cancelled', 'aborted'] THEN project END)) AS refused,
     collect(CASE WHEN leftOutBecause IS NOT NULL
                  THEN {why: leftOutBecause + ' (project)', usd: project.valueUsd} END) AS skippedProjects
// rank first: vendors and financing are read for the countries shown only
WITH country, projects, refused, skippedProjects,
     reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS valueUsd
ORDER BY size(projects) DESC, valueUsd DESC, country.name
LIMIT $limit
CALL (projects) {
  UNWIND projects AS p
  OPTIONAL MATCH (vendor:Company)-[:CONTRACTED_FOR]->(p)
  RETURN count(DISTINCT vendor) AS vendors
}
// financing reaching the country, as top-lenders finds it: to a project, borrower or government there
CALL (country) {
  OPTIONAL MATCH (country)<-[:LOCATED_IN|GOVERNS|PART_OF]-{1,3}(target:Entity)<-[tie:FINANCED]-(lender:Entity)
  WHERE $kind IS NULL OR (target:Project AND target.kind = $kind)
  WITH DISTINCT lender, tie, target
  WITH lender, tie, CASE WHEN target:Project THEN target.status END AS status
  WITH lender, tie, coalesce(tie.commitment, tie.id) AS commitment,
       CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
            WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
            WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
  // a commitment counts when one of its ties does; a left-out one is named by its first reason
  WITH commitment, max(tie.amountUsd) AS usd,
       collect(CASE WHEN leftOutBecause IS NULL THEN lender END) AS countedLenders,
       head(apoc.coll.sort(collect(leftOutBecause))) AS why
  WITH collect(CASE WHEN commitment IS NOT NULL AND size(countedLenders) > 0 THEN usd END) AS amounts,
       apoc.coll.toSet(apoc.coll.flatten(collect(countedLenders))) AS lenders,
       collect(CASE WHEN commitment IS NOT NULL AND size(countedLenders) = 0
                    THEN {why: why + ' (financing)', usd: usd} END) AS skippedFinancing
  RETURN size(lenders) AS lenders, reduce(total = 0.0, usd IN amounts | total + usd) AS financedUsd, skippedFinancing
}
WITH country, projects, valueUsd, refused, vendors, lenders, financedUsd, skippedProjects + skippedFinancing AS skipped
RETURN country.name AS country, country.id AS countryId, size(projects) AS projects,
       valueUsd,
       reduce(total = 0, p IN projects | total + coalesce(p.cameras, 0)) AS cameras,
       refused, vendors, lenders, financedUsd,
       [why IN apoc.coll.sort(apoc.coll.toSet([s IN skipped | s.why])) |
          toString(size([s IN skipped WHERE s.why = why])) + ' ' + why +
          CASE WHEN any(s IN skipped WHERE s.why = why AND s.usd IS NOT NULL)
               THEN ', USD ' + apoc.number.format(toInteger(reduce(t = 0.0, s IN [s IN skipped WHERE s.why = why] | t + coalesce(s.usd, 0))))
               ELSE '' END] AS leftOut
ORDER BY projects DESC, valueUsd DESC, country
LIMIT $limit
