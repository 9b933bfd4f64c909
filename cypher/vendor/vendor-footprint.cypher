// name: vendor-footprint
// title: Vendor footprint
// question: Where has this company (and the companies it owns) worked, in which roles, and who financed that work?
// param: vendor string -- company id
// param: includeSubsidiaries boolean = true -- also the companies it owns, up to 3 OWNS ties down
// column: company -- the vendor or the subsidiary that did the work
// column: project -- project name
// column: role -- prime contractor, equipment supplier, operator, ...
// column: countries -- ISO codes of the project's countries
// column: status -- project status
// column: year -- project year
// column: lenders -- who financed the project directly (lenders of one co-financed commitment each listed)
// column: evidence -- quotes for the contracting tie, with sources
// column: note -- what is uncertain about the contracting tie
// column: financingNotes -- what is uncertain about each financing tie, lender by lender
// column: hops -- ownership, contracting and financing ties (used for pictures)
// visual: financing
MATCH (root:Company {id: $vendor})
MATCH ownPath = (root)-[:OWNS]->{0,3}(company:Company)
WHERE $includeSubsidiaries OR length(ownPath) = 0
MATCH (company)-[k:CONTRACTED_FOR]->(project:Project)
OPTIONAL MATCH (project)-[:LOCATED_IN]->{1,2}(country:Country)
WITH ownPath, company, k, project, collect(DISTINCT country.id) AS countries
OPTIONAL MATCH (lender:Entity)-[f:FINANCED]->(project)
WITH ownPath, company, k, project, countries, collect(f) AS financings
RETURN company.name AS company, project.name AS project, k.role AS role, countries,
       project.status AS status, project.year AS year,
       [f IN financings | startNode(f).name] AS lenders,
       [i IN range(0, size(k.evidence) - 1) | k.sources[i] + ': ' + k.evidence[i]] AS evidence,
       k.note AS note,
       [f IN financings WHERE f.note IS NOT NULL | startNode(f).name + ': ' + f.note] AS financingNotes,
       [r IN relationships(ownPath) + [k] + financings |
          {from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           properties: properties(r)}] AS hops
ORDER BY company, coalesce(year, 0) DESC, project
