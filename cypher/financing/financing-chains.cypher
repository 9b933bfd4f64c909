// name: financing-chains
// title: Financing chains
// question: Who lent or gave money, to which borrower or project, who bought the project and who built it? One row per financing tie and project; ties of one co-financed commitment share its key and its whole amount, so sum amountUsd over distinct commitments, leaving out rows with a leftOutBecause.
// policy: counting
// param: country string = null -- ISO 3166 alpha-2 code; keeps chains whose project or borrower is in that country
// param: lender string = null -- lender id, or part of its name or an alias (case-insensitive)
// param: vendor string = null -- contractor id, or part of its name or an alias; keeps chains with that contractor
// param: fromYear integer = null -- earliest year of the financing (or of the project, where the financing has none)
// param: toYear integer = null -- latest year, likewise
// param: includeInferred boolean = false -- counting policy: also count ties that are only inferred
// param: includeNotHappened boolean = false -- counting policy: also count proposed, rejected, cancelled and aborted projects
// param: includeNotRecommended boolean = false -- counting policy: also count what the source does not recommend for aggregates (AidData's umbrella agreements, pledges, cancelled commitments)
// column: lender -- name of the lender or funder
// column: lenderType -- its label (StateBank, Company, Government, ...)
// column: instrument -- loan, soft loan, credit line, grant, vendor financing, ...
// column: commitment -- key of the commitment the tie belongs to (shared by the lenders of a co-financed loan)
// column: coLenders -- the other lenders of the same commitment
// column: amount -- the commitment's whole amount in the source's currency, in units
// column: currency -- ISO 4217 code of amount
// column: amountUsd -- the commitment's whole amount in US dollars where known
// column: partAmountUsd -- this lender's own part in US dollars, where the source gives it
// column: year -- year of the financing, else of the project it financed
// column: borrower -- who received the money when it did not go to a project directly (else null)
// column: project -- the project financed directly, or one a source says the money to the borrower paid for
// column: link -- `direct` (money to the project), `via borrower` (money to the buyer, which a source says paid for the project), or null (a loan to the borrower alone)
// column: projectStatus -- proposed, signed, implemented, rejected, cancelled, aborted
// column: countries -- ISO codes of the project's (or borrower's) countries
// column: buyers -- names of those who commissioned the project
// column: contractors -- contractors with their roles
// column: confidence -- stated, reported or inferred (the financing tie)
// column: leftOutBecause -- why the counting policy leaves this tie out of totals (null when it counts)
// column: note -- what is uncertain about the financing tie or how a value was derived
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
// money to a borrower reaches a project only where a source says it paid for that project (`forProjects`)
OPTIONAL MATCH (viaBorrower:Entity)
WHERE NOT target:Project AND viaBorrower.id IN coalesce(f.forProjects, []) AND viaBorrower:Project
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
WITH lender, f AS tie, project, borrower, year, countries, buyers, contracts, project.status AS status,
     [f] + [k IN commissions WHERE borrower IS NULL OR startNode(k) = borrower] + contracts AS chain
WITH lender, tie, project, borrower, year, countries, buyers, contracts, chain, status,
     CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
          WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
          WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
OPTIONAL MATCH (coLender:Entity)-[:FINANCED {commitment: tie.commitment}]->()
WHERE coLender <> lender
WITH lender, tie, project, borrower, year, countries, buyers, contracts, chain, status, leftOutBecause,
     collect(DISTINCT coLender.name) AS coLenders
RETURN lender.name AS lender,
       [l IN labels(lender) WHERE l <> 'Entity'][0] AS lenderType,
       tie.instrument AS instrument, coalesce(tie.commitment, tie.id) AS commitment, apoc.coll.sort(coLenders) AS coLenders,
       tie.amount AS amount, tie.currency AS currency, tie.amountUsd AS amountUsd, tie.partAmountUsd AS partAmountUsd,
       year,
       borrower.name AS borrower,
       project.name AS project,
       CASE WHEN project IS NULL THEN null WHEN borrower IS NULL THEN 'direct' ELSE 'via borrower' END AS link,
       status AS projectStatus,
       countries, buyers,
       [k IN contracts | startNode(k).name + ' (' + k.role + ')'] AS contractors,
       tie.confidence AS confidence, leftOutBecause, tie.note AS note,
       [i IN range(0, size(tie.evidence) - 1) | tie.sources[i] + ': ' + tie.evidence[i]] AS evidence,
       [r IN chain | {from: startNode(r).id, fromName: startNode(r).name,
                      fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
                      type: type(r), to: endNode(r).id, toName: endNode(r).name,
                      toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
                      properties: properties(r)}] AS hops
ORDER BY coalesce(amountUsd, 0) DESC, lender, project
