// name: top-buyers
// title: Top buyers
// question: Which governments and other buyers commissioned the most projects, and for how much?
// policy: counting
// param: country string = null -- ISO 3166 alpha-2 code of the project's country
// param: includeInferred boolean = false -- counting policy: also count ties that are only inferred
// param: includeNotHappened boolean = false -- counting policy: also count proposed, rejected, cancelled and aborted projects
// param: includeNotRecommended boolean = false -- counting policy: also count what the source does not recommend for aggregates (AidData's umbrella agreements, pledges, cancelled commitments)
// param: limit integer = 10 -- how many buyers
// column: buyer -- buyer name
// column: buyerId -- buyer id
// column: buyerType -- its label
// column: projects -- number of distinct projects counted
// column: projectValueUsd -- sum of valueUsd over the counted projects
// column: paidUsd -- sum of what the buyer itself paid (amountUsd on its COMMISSIONED ties), where a source gives it
// column: walkedAway -- projects it rejected, cancelled or aborted (never counted)
// column: vendors -- companies contracted for its counted projects
// column: leftOut -- what the counting policy left out, by reason, with project values
CALL () {
  // the projects in the country (directly or through a city or region), or every project
  MATCH (:Country {id: $country})<-[:LOCATED_IN]-{1,2}(project:Project)
  RETURN DISTINCT project
  UNION ALL
  MATCH (project:Project)
  WHERE $country IS NULL
  RETURN project
}
MATCH (buyer:Entity)-[tie:COMMISSIONED]->(project)
// the buyer's own step (it may have rejected what another buyer signed)
WITH buyer, project, tie, coalesce(tie.status, project.status) AS status
WITH buyer, project, tie, status,
     CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
          WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
          WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
WITH buyer,
     collect(CASE WHEN leftOutBecause IS NULL THEN {project: project, paid: tie.amountUsd} END) AS counted,
     collect(DISTINCT CASE WHEN status IN ['rejected', 'cancelled', 'aborted'] THEN project.name END) AS walkedAway,
     collect(CASE WHEN leftOutBecause IS NOT NULL THEN {why: leftOutBecause, usd: project.valueUsd} END) AS skipped
WITH buyer, apoc.coll.toSet([c IN counted | c.project]) AS projects, counted, walkedAway, skipped
WITH buyer, projects, counted, walkedAway, skipped,
     reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS projectValueUsd
ORDER BY size(projects) DESC, projectValueUsd DESC, buyer.name
LIMIT $limit
// rank first: the vendors are read for the buyers shown only
CALL (projects) {
  UNWIND projects AS p
  MATCH (vendor:Company)-[:CONTRACTED_FOR]->(p)
  RETURN apoc.coll.sort(collect(DISTINCT vendor.name)) AS vendors
}
RETURN buyer.name AS buyer, buyer.id AS buyerId, [l IN labels(buyer) WHERE l <> 'Entity'][0] AS buyerType,
       size(projects) AS projects, projectValueUsd,
       reduce(total = 0.0, c IN counted | total + coalesce(c.paid, 0)) AS paidUsd,
       walkedAway, vendors,
       [why IN apoc.coll.sort(apoc.coll.toSet([s IN skipped | s.why])) |
          toString(size([s IN skipped WHERE s.why = why])) + ' ' + why +
          CASE WHEN any(s IN skipped WHERE s.why = why AND s.usd IS NOT NULL)
               THEN ', USD ' + apoc.number.format(toInteger(reduce(t = 0.0, s IN [s IN skipped WHERE s.why = why] | t + coalesce(s.usd, 0))))
               ELSE '' END] AS leftOut
ORDER BY projects DESC, projectValueUsd DESC, buyer
