// name: top-vendors
// title: Top vendors
// question: Which companies took part in the most projects, in how many countries, and for how much project value?
// param: country string = null -- ISO 3166 alpha-2 code of the project's country
// param: role string = null -- only this role (prime contractor, equipment supplier, operator, ...)
// param: limit integer = 10 -- how many vendors
// column: vendor -- company name
// column: vendorId -- company id
// column: projects -- number of distinct projects
// column: countries -- ISO codes of the projects' countries
// column: projectValueUsd -- sum of valueUsd over its distinct projects (projects without a value add nothing)
// column: roles -- roles it played
MATCH (vendor:Company)-[k:CONTRACTED_FOR]->(project:Project)
WHERE ($role IS NULL OR k.role = $role)
OPTIONAL MATCH (project)-[:LOCATED_IN]->{1,2}(country:Country)
WITH vendor, project, k, collect(DISTINCT country.id) AS projectCountries
WHERE $country IS NULL OR $country IN projectCountries
WITH vendor, collect(DISTINCT project) AS projects, collect(DISTINCT k.role) AS roles,
     apoc.coll.toSet(apoc.coll.flatten(collect(projectCountries))) AS countries
RETURN vendor.name AS vendor, vendor.id AS vendorId, size(projects) AS projects,
       apoc.coll.sort(countries) AS countries,
       reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS projectValueUsd,
       apoc.coll.sort(roles) AS roles
ORDER BY projects DESC, projectValueUsd DESC, vendor
LIMIT $limit
