// name: top-lenders
// title: Top lenders
// question: Which lenders and funders committed the most money, to how many borrowers and projects? Each commitment counts once; a co-financed one whose split is not given is shown apart, not as the lender's money.
// policy: counting
// param: country string = null -- ISO 3166 alpha-2 code of the borrower's or project's country
// param: fromYear integer = null -- earliest year of the financing
// param: toYear integer = null -- latest year of the financing
// param: includeInferred boolean = false -- counting policy: also count ties that are only inferred
// param: includeNotHappened boolean = false -- counting policy: also count proposed, rejected, cancelled and aborted projects
// param: includeNotRecommended boolean = false -- counting policy: also count what the source does not recommend for aggregates (AidData's umbrella agreements, pledges, cancelled commitments)
// param: limit integer = 10 -- how many lenders
// column: lender -- lender name
// column: lenderId -- lender id
// column: lenderType -- its label
// column: totalUsd -- its own money in USD: the commitments it made alone, and its own parts of co-financed ones where the source gives them
// column: coFinancedUsd -- whole amounts of the co-financed commitments it took part in whose split is not given (shared with coLenders; not its own money, and not to be added across lenders)
// column: commitments -- number of commitments counted
// column: withAmount -- how many of them carry an amount in USD
// column: coLenders -- the other lenders of its co-financed commitments
// column: recipients -- number of distinct borrowers and projects
// column: instruments -- kinds of financing used
// column: leftOut -- what the counting policy left out for this lender, by reason, with amounts
MATCH (lender:Entity)-[tie:FINANCED]->(target:Entity)
WHERE ($fromYear IS NULL OR tie.year >= $fromYear) AND ($toYear IS NULL OR tie.year <= $toYear)
  AND ($country IS NULL OR EXISTS {
        MATCH (target)-[:LOCATED_IN|GOVERNS|PART_OF]->{1,3}(:Country {id: $country}) })
WITH lender, tie, target, CASE WHEN target:Project THEN target.status END AS status
WITH lender, tie, target, coalesce(tie.commitment, tie.id) AS commitment,
     CASE WHEN NOT $includeNotRecommended AND tie.recommendedForAggregates = false THEN 'not recommended for aggregates'
          WHEN NOT $includeNotHappened AND status IN ['proposed', 'rejected', 'cancelled', 'aborted'] THEN status
          WHEN NOT $includeInferred AND tie.confidence = 'inferred' THEN 'inferred' END AS leftOutBecause
// the other lenders of the same commitment
OPTIONAL MATCH (coLender:Entity)-[:FINANCED {commitment: tie.commitment}]->()
WHERE coLender <> lender
WITH lender, commitment, leftOutBecause, head(collect(tie)) AS tie, collect(DISTINCT target) AS targets,
     collect(DISTINCT coLender.name) AS coLenders
WITH lender, commitment, leftOutBecause, tie, targets, coLenders,
     CASE WHEN size(coLenders) = 0 THEN tie.amountUsd ELSE tie.partAmountUsd END AS ownUsd
WITH lender,
     collect(CASE WHEN leftOutBecause IS NULL THEN {commitment: commitment, tie: tie, targets: targets,
                                                    coLenders: coLenders, ownUsd: ownUsd} END) AS counted,
     collect(CASE WHEN leftOutBecause IS NOT NULL THEN {why: leftOutBecause, usd: tie.amountUsd} END) AS skipped
WHERE size(counted) > 0
RETURN lender.name AS lender, lender.id AS lenderId,
       [l IN labels(lender) WHERE l <> 'Entity'][0] AS lenderType,
       reduce(total = 0.0, c IN counted | total + coalesce(c.ownUsd, 0)) AS totalUsd,
       reduce(total = 0.0, c IN counted | total +
              CASE WHEN size(c.coLenders) > 0 AND c.ownUsd IS NULL THEN coalesce(c.tie.amountUsd, 0) ELSE 0 END) AS coFinancedUsd,
       size(counted) AS commitments,
       size([c IN counted WHERE c.tie.amountUsd IS NOT NULL]) AS withAmount,
       apoc.coll.sort(apoc.coll.toSet(apoc.coll.flatten([c IN counted | c.coLenders]))) AS coLenders,
       size(apoc.coll.toSet(apoc.coll.flatten([c IN counted | c.targets]))) AS recipients,
       apoc.coll.sort(apoc.coll.toSet([c IN counted WHERE c.tie.instrument IS NOT NULL | c.tie.instrument])) AS instruments,
       [why IN apoc.coll.sort(apoc.coll.toSet([s IN skipped | s.why])) |
          toString(size([s IN skipped WHERE s.why = why])) + ' ' + why +
          CASE WHEN any(s IN skipped WHERE s.why = why AND s.usd IS NOT NULL)
               THEN ', USD ' + apoc.number.format(toInteger(reduce(t = 0.0, s IN [s IN skipped WHERE s.why = why] | t + coalesce(s.usd, 0))))
               ELSE '' END] AS leftOut
ORDER BY totalUsd DESC, coFinancedUsd DESC, commitments DESC, lender
LIMIT $limit
