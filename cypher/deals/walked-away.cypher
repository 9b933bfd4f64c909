// name: walked-away
// title: Rejected, cancelled and aborted deals
// question: Who walked away from which vendor, when, and who got a contract of the same kind instead?
// param: country string = null -- ISO 3166 alpha-2 code of the project's country
// param: vendor string = null -- id of the vendor walked away from
// column: project -- the refused project
// column: status -- rejected, cancelled or aborted
// column: year -- year of the decision or of the project
// column: buyer -- who walked away
// column: vendors -- the vendors that lost the deal, with roles
// column: countries -- ISO codes of the project's countries
// column: instead -- projects of the same kind by the same buyer or in the same country that went ahead, with their vendors
// column: evidence -- quotes for the refusal, with sources
// column: hops -- the commissioning and contracting ties (used for pictures)
MATCH (project:Project)
OPTIONAL MATCH (buyer:Entity)-[c:COMMISSIONED]->(project)
WITH project, buyer, c, coalesce(c.status, project.status) AS status
WHERE status IN ['rejected', 'cancelled', 'aborted']
OPTIONAL MATCH (project)-[:LOCATED_IN]->{1,2}(country:Country)
WITH project, buyer, c, status, collect(DISTINCT country) AS countries
WHERE $country IS NULL OR any(x IN countries WHERE x.id = $country)
OPTIONAL MATCH (lost:Company)-[k:CONTRACTED_FOR]->(project)
WITH project, buyer, c, status, countries, collect(k) AS contracts
WHERE $vendor IS NULL OR any(k IN contracts WHERE startNode(k).id = $vendor)
OPTIONAL MATCH (other:Project {kind: project.kind})<-[:CONTRACTED_FOR]-(winner:Company)
WHERE other <> project AND NOT coalesce(other.status, '') IN ['rejected', 'cancelled', 'aborted']
  AND (EXISTS { (buyer)-[:COMMISSIONED]->(other) }
       OR any(x IN countries WHERE EXISTS { (other)-[:LOCATED_IN]->{1,2}(x) }))
WITH project, buyer, c, status, countries, contracts,
     collect(DISTINCT other.name + ' (' + winner.name + ')') AS instead
RETURN project.name AS project, status, coalesce(c.year, project.year) AS year, buyer.name AS buyer,
       [k IN contracts | startNode(k).name + ' (' + k.role + ')'] AS vendors,
       [x IN countries | x.id] AS countries, instead,
       [i IN range(0, size(coalesce(c, project).evidence) - 1) |
          coalesce(c, project).sources[i] + ': ' + coalesce(c, project).evidence[i]] AS evidence,
       [r IN CASE WHEN c IS NULL THEN [] ELSE [c] END + contracts |
          {from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           properties: properties(r)}] AS hops
ORDER BY coalesce(year, 0) DESC, project
