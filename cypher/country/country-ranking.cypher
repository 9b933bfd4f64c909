// name: country-ranking
// title: Countries ranked by projects
// question: Which countries host the most projects, and of what value?
// param: kind string = null -- only projects of this kind (safe city, smart city, ...)
// param: limit integer = 25 -- how many countries
// column: country -- country name
// column: countryId -- ISO code
// column: projects -- number of distinct projects located there
// column: valueUsd -- sum of the projects' valueUsd, where known
// column: cameras -- sum of the projects' camera counts, where known
// column: refused -- projects rejected, cancelled or aborted
// column: vendors -- number of distinct contractors
// column: lenders -- number of distinct direct lenders
MATCH (project:Project)-[:LOCATED_IN]->{1,2}(country:Country)
WHERE $kind IS NULL OR project.kind = $kind
WITH country, collect(DISTINCT project) AS projects
CALL (projects) {
  UNWIND projects AS p
  OPTIONAL MATCH (vendor:Company)-[:CONTRACTED_FOR]->(p)
  OPTIONAL MATCH (lender:Entity)-[:FINANCED]->(p)
  RETURN count(DISTINCT vendor) AS vendors, count(DISTINCT lender) AS lenders
}
RETURN country.name AS country, country.id AS countryId, size(projects) AS projects,
       reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS valueUsd,
       reduce(total = 0, p IN projects | total + coalesce(p.cameras, 0)) AS cameras,
       size([p IN projects WHERE p.status IN ['rejected', 'cancelled', 'aborted']]) AS refused,
       vendors, lenders
ORDER BY projects DESC, valueUsd DESC, country
LIMIT $limit
