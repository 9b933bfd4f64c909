// name: country-exposure
// title: Country exposure
// question: For one country, which projects were signed, built or refused, by which buyers, with which lenders and vendors, for how much and how many cameras?
// param: country string -- ISO 3166 alpha-2 code
// param: limit integer = 500 -- at most this many projects, the most recent first (a big country has thousands)
// param: skip integer = 0 -- leave out this many first, to page through the rest
// column: project -- project name
// column: projectId -- its id
// column: kind -- safe city, smart city, national id, ...
// column: status -- proposed, signed, implemented, rejected, cancelled, aborted
// column: year -- year of agreement or launch
// column: valueUsd -- value in US dollars, where known
// column: cameras -- number of cameras, where known
// column: buyers -- who commissioned it
// column: lenders -- who financed it directly, with instrument, the commitment's whole amount, and the co-lenders it was shared with
// column: vendors -- contractors with their roles
// column: evidence -- quotes for the project, with sources
// column: notes -- what is uncertain about its financing, commissioning and contracting ties, tie by tie
// column: hops -- the financing, commissioning and contracting ties (used for pictures)
// visual: financing
MATCH (project:Project)-[:LOCATED_IN]->{1,2}(:Country {id: $country})
WITH DISTINCT project
// the page is chosen before the ties of each project are read
ORDER BY coalesce(project.year, 0) DESC, project.name
SKIP $skip LIMIT $limit
OPTIONAL MATCH (buyer:Entity)-[c:COMMISSIONED]->(project)
WITH project, collect(c) AS commissions
OPTIONAL MATCH (lender:Entity)-[f:FINANCED]->(project)
WITH project, commissions, collect(f) AS financings
OPTIONAL MATCH (vendor:Company)-[k:CONTRACTED_FOR]->(project)
WITH project, commissions, financings, collect(k) AS contracts
RETURN project.name AS project, project.id AS projectId, project.kind AS kind, project.status AS status,
       project.year AS year, project.valueUsd AS valueUsd, project.cameras AS cameras,
       [c IN commissions | startNode(c).name] AS buyers,
       [f IN financings | startNode(f).name + ' (' + coalesce(f.instrument, 'financing') +
          CASE WHEN f.amountUsd IS NULL THEN '' ELSE ', USD ' + apoc.number.format(toInteger(f.amountUsd)) END +
          CASE WHEN f.commitment IS NULL OR size([g IN financings WHERE g.commitment = f.commitment]) = 1 THEN ''
               ELSE ', one commitment with ' + apoc.text.join([g IN financings WHERE g.commitment = f.commitment AND g <> f |
                                                                startNode(g).name], ', ') END + ')'] AS lenders,
       [k IN contracts | startNode(k).name + ' (' + k.role + ')'] AS vendors,
       [i IN range(0, size(project.evidence) - 1) | project.sources[i] + ': ' + project.evidence[i]] AS evidence,
       [r IN financings + commissions + contracts WHERE r.note IS NOT NULL |
          startNode(r).name + ' ' + type(r) + ': ' + r.note] AS notes,
       [r IN financings + commissions + contracts |
          {from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           properties: properties(r)}] AS hops
ORDER BY coalesce(year, 0) DESC, project
