// name: top-buyers
// title: Top buyers
// question: Which governments and other buyers commissioned the most projects, and for how much?
// param: country string = null -- ISO 3166 alpha-2 code of the project's country
// param: limit integer = 10 -- how many buyers
// column: buyer -- buyer name
// column: buyerId -- buyer id
// column: buyerType -- its label
// column: projects -- number of distinct projects commissioned
// column: projectValueUsd -- sum of valueUsd over those projects
// column: walkedAway -- projects it rejected, cancelled or aborted
// column: vendors -- companies contracted for its projects
MATCH (buyer:Entity)-[c:COMMISSIONED]->(project:Project)
WHERE $country IS NULL OR EXISTS { MATCH (project)-[:LOCATED_IN]->{1,2}(:Country {id: $country}) }
OPTIONAL MATCH (vendor:Company)-[:CONTRACTED_FOR]->(project)
WITH buyer, collect(DISTINCT project) AS projects, collect(DISTINCT vendor.name) AS vendors,
     collect(DISTINCT CASE WHEN coalesce(c.status, project.status) IN ['rejected', 'cancelled', 'aborted']
                           THEN project.name END) AS walkedAway
RETURN buyer.name AS buyer, buyer.id AS buyerId, [l IN labels(buyer) WHERE l <> 'Entity'][0] AS buyerType,
       size(projects) AS projects,
       reduce(total = 0.0, p IN projects | total + coalesce(p.valueUsd, 0)) AS projectValueUsd,
       walkedAway, apoc.coll.sort(vendors) AS vendors
ORDER BY projects DESC, projectValueUsd DESC, buyer
LIMIT $limit
