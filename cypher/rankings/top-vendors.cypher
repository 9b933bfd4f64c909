// name: top-vendors
// title: Top vendors
// question: Which companies took part in the most projects, in how many countries, and for how much project value?
// policy: counting
// param: country string = null -- ISO 3166 alpha-2 code of the project's country
// param: role string = null -- only this role (prime contractor, equipment supplier, operator, ...)
// param: includeInferred boolean = false -- counting policy: also count ties that are only inferred
// param: includeNotHappened boolean = false -- counting policy: also count proposed, rejected, cancelled and aborted projects
// param: includeNotRecommended boolean = false -- counting policy: also count what the source does not recommend for aggregates (AidData's umbrella agreements, pledges, cancelled commitments)
// param: limit integer = 10 -- how many vendors
// column: vendor -- company name
// column: vendorId -- company id
// column: projects -- number of distinct projects counted
// column: countries -- ISO codes of the counted projects' countries
// column: projectValueUsd -- sum of valueUsd over its distinct counted projects (projects without a value add nothing)
// column: roles -- roles it played in them
// column: leftOut -- what the counting policy left out (a bid that was not won counts as proposed), by reason, with project values
CALL () {
  // the ties to the projects of the country (directly or through a city or region)
  MATCH (:Country {id: $country})<-[:LOCATED_IN]-{1,2}(project:Project)
  WITH DISTINCT project
  MATCH (vendor:Company)-[tie:CONTRACTED_FOR]->(project)
  WHERE $role IS NULL OR tie.role = $role
  RETURN vendor, tie, project
  UNION ALL
  // no country: the ties of the role, read from its index (the value is null, and nothing read, with a country)
  MATCH (vendor:Company)-[tie:CONTRACTED_FOR]->(project:Project)
  WHERE tie.role = CASE WHEN $country IS NULL THEN $role END
  RETURN vendor, tie, project
  UNION ALL
  // neither: every tie
  UNWIND CASE WHEN $country IS NULL AND $role IS NULL THEN [true] ELSE [] END AS everyTie
  MATCH (vendor:Company)-[tie:CONTRACTED_FOR]->(project:Project)
  RETURN vendor, tie, project
}
// a vendor that only bid did not do the work, whatever became of the project
WITH vendor, project, tie,
     CASE WHEN tie.role = 'bidder' THEN 'proposed' ELSE project.status END AS status
WITH vendor, project, tie,
     CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
          WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
          WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
// a project counts when one of the vendor's ties to it counts
WITH vendor,
     collect(DISTINCT CASE WHEN leftOutBecause IS NULL THEN project END) AS projects,
     collect(CASE WHEN leftOutBecause IS NULL THEN tie.role END) AS roles,
     collect(CASE WHEN leftOutBecause IS NOT NULL THEN {project: project, why: leftOutBecause} END) AS notCounted
WHERE size(projects) > 0
WITH vendor, projects, roles, notCounted,
     reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS projectValueUsd
ORDER BY size(projects) DESC, projectValueUsd DESC, vendor.name
LIMIT $limit
// for the vendors shown: each project none of whose ties counts, left out for the first of its reasons
WITH vendor, projects, roles, projectValueUsd,
     [p IN apoc.coll.toSet([n IN notCounted WHERE NOT n.project IN projects | n.project]) |
        {why: head(apoc.coll.sort([n IN notCounted WHERE n.project = p | n.why])), usd: p.valueUsd}] AS skipped
// rank first: the countries are read for the vendors shown only
CALL (projects) {
  UNWIND projects AS p
  MATCH (p)-[:LOCATED_IN]->{1,2}(country:Country)
  RETURN apoc.coll.sort(collect(DISTINCT country.id)) AS countries
}
RETURN vendor.name AS vendor, vendor.id AS vendorId, size(projects) AS projects, countries, projectValueUsd,
       apoc.coll.sort(apoc.coll.toSet(roles)) AS roles,
       [why IN apoc.coll.sort(apoc.coll.toSet([s IN skipped | s.why])) |
          toString(size([s IN skipped WHERE s.why = why])) + ' ' + why +
          CASE WHEN any(s IN skipped WHERE s.why = why AND s.usd IS NOT NULL)
               THEN ', USD ' + apoc.number.format(toInteger(reduce(t = 0.0, s IN [s IN skipped WHERE s.why = why] | t + coalesce(s.usd, 0))))
               ELSE '' END] AS leftOut
ORDER BY projects DESC, projectValueUsd DESC, vendor
