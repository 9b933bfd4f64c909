// name: financing-chains
// title: Financing chains
// question: Who lent or gave money, to which borrower or project, who bought the project and who built it?
// param: country string = null -- ISO 3166 alpha-2 code; keeps chains whose project or borrower is in that country
// param: lender string = null -- lender id, or part of its name or an alias (case-insensitive)
// param: vendor string = null -- contractor id, or part of its name or an alias; keeps chains with that contractor
// param: fromYear integer = null -- earliest year of the financing (or of the project, where the financing has none)
// param: toYear integer = null -- latest year, likewise
// column: lender -- name of the lender or funder
// column: lenderType -- its label (StateBank, Company, Government, ...)
// column: instrument -- loan, soft loan, credit line, grant, vendor financing, ...
// column: amount -- amount in the source's currency, in units
// column: currency -- ISO 4217 code of amount
// column: amountUsd -- amount in US dollars where known
// column: year -- year of the financing, else of the project
// column: borrower -- who received the money when it did not go to a project directly (else null)
// column: project -- the project financed directly, or one the borrower commissioned
// column: link -- `direct` (money to the project) or `via borrower` (money to the buyer, who commissioned the project)
// column: projectStatus -- proposed, signed, implemented, rejected, cancelled, aborted
// column: countries -- ISO codes of the project's (or borrower's) countries
// column: buyers -- names of those who commissioned the project
// column: contractors -- contractors with their roles
// column: confidence -- stated, reported or inferred (the financing tie)
// column: evidence -- quotes for the financing, with their sources
// column: hops -- every tie of the chain with its properties and evidence (used for pictures)
// visual: financing
WITH [w IN split(reduce(s = '', c IN split(toLower(coalesce($lender, '')), '') |
                        s + CASE WHEN c <> '' AND 'abcdefghijklmnopqrstuvwxyz0123456789' CONTAINS c THEN c ELSE ' ' END), ' ')
      WHERE w <> '' AND none(stop IN ['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into',
                                      'is', 'it', 'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then',
                                      'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with'] WHERE stop CONTAINS w)
     ][..20] AS pieces
// The lender text is matched as a case-insensitive substring, but found through the `entity_names`
// full-text index rather than by reading every lender: each run of ASCII letters and digits in it lies
// within one indexed word, so `*piece*` for each run finds a superset of the matches. Runs that could be
// (part of) a stop word the analyzer leaves out are not asked for; with none left, every lender is read.
CALL (pieces) {
  UNWIND CASE WHEN $lender IS NULL OR size(pieces) = 0 THEN [true] ELSE [] END AS readEveryLender
  MATCH (lender:Entity)-[f:FINANCED]->(target:Entity)
  RETURN lender, f, target
  UNION ALL
  UNWIND CASE WHEN $lender IS NOT NULL AND size(pieces) > 0 THEN [true] ELSE [] END AS useIndexes
  CALL (pieces) {
    MATCH (lender:Entity {id: $lender})
    RETURN lender
    UNION
    CALL db.index.fulltext.queryNodes('entity_names', reduce(q = '', w IN pieces |
                                        q + CASE WHEN q = '' THEN '' ELSE ' AND ' END + '*' + w + '*')) YIELD node
    RETURN node AS lender
  }
  MATCH (lender)-[f:FINANCED]->(target:Entity)
  RETURN lender, f, target
}
WITH lender, f, target
WHERE $lender IS NULL OR lender.id = $lender
   OR any(name IN [lender.name] + coalesce(lender.aliases, []) WHERE toLower(name) CONTAINS toLower($lender))
OPTIONAL MATCH (target)-[c:COMMISSIONED]->(viaBorrower:Project)
WHERE NOT target:Project
WITH lender, f, target,
     CASE WHEN target:Project THEN [target] ELSE collect(DISTINCT viaBorrower) END AS projects
UNWIND (CASE WHEN size(projects) = 0 THEN [null] ELSE projects END) AS project
WITH lender, f, target, project,
     CASE WHEN target:Project THEN null ELSE target END AS borrower
WITH lender, f, target, project, borrower, coalesce(f.year, project.year) AS year
WHERE ($fromYear IS NULL OR year >= $fromYear) AND ($toYear IS NULL OR year <= $toYear)
// start from the project and the borrower themselves: `WHERE place IN [...]` would scan every entity
CALL (project, borrower) {
  UNWIND [x IN [project, borrower] WHERE x IS NOT NULL] AS place
  OPTIONAL MATCH (place)-[:LOCATED_IN|GOVERNS|PART_OF]->{1,3}(country:Country)
  RETURN collect(DISTINCT country.id) AS countries
}
WITH lender, f, target, project, borrower, year, countries
WHERE $country IS NULL OR $country IN countries
OPTIONAL MATCH (buyer:Entity)-[commission:COMMISSIONED]->(project)
WITH lender, f, target, project, borrower, year, countries,
     collect(DISTINCT buyer.name) AS buyers, collect(DISTINCT commission) AS commissions
OPTIONAL MATCH (contractor:Company)-[contract:CONTRACTED_FOR]->(project)
WITH lender, f, target, project, borrower, year, countries, buyers, commissions,
     collect(DISTINCT contract) AS contracts
WHERE $vendor IS NULL OR any(k IN contracts WHERE startNode(k).id = $vendor
        OR any(name IN [startNode(k).name] + coalesce(startNode(k).aliases, []) WHERE toLower(name) CONTAINS toLower($vendor)))
WITH lender, f, project, borrower, year, countries, buyers, contracts,
     [f] + [k IN commissions WHERE borrower IS NULL OR startNode(k) = borrower] + contracts AS chain
RETURN lender.name AS lender,
       [l IN labels(lender) WHERE l <> 'Entity'][0] AS lenderType,
       f.instrument AS instrument, f.amount AS amount, f.currency AS currency, f.amountUsd AS amountUsd,
       year,
       borrower.name AS borrower,
       project.name AS project,
       CASE WHEN borrower IS NULL THEN 'direct' WHEN project IS NULL THEN null ELSE 'via borrower' END AS link,
       project.status AS projectStatus,
       countries, buyers,
       [k IN contracts | startNode(k).name + ' (' + k.role + ')'] AS contractors,
       f.confidence AS confidence,
       [i IN range(0, size(f.evidence) - 1) | f.sources[i] + ': ' + f.evidence[i]] AS evidence,
       [r IN chain | {from: startNode(r).id, fromName: startNode(r).name,
                      fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
                      type: type(r), to: endNode(r).id, toName: endNode(r).name,
                      toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
                      properties: properties(r)}] AS hops
ORDER BY coalesce(amountUsd, 0) DESC, lender, project
