// name: top-lenders
// title: Top lenders
// question: Which lenders and funders committed the most money, to how many borrowers and projects? Each financing tie counts once, however many contractors sit under it, and ties flagged as not for aggregates are left out.
// param: country string = null -- ISO 3166 alpha-2 code of the borrower's or project's country
// param: fromYear integer = null -- earliest year of the financing
// param: toYear integer = null -- latest year of the financing
// param: includeNotRecommended boolean = false -- also count financing AidData does not recommend for aggregates (umbrella agreements, pledges, cancelled commitments)
// param: limit integer = 10 -- how many lenders
// column: lender -- lender name
// column: lenderId -- lender id
// column: lenderType -- its label
// column: totalUsd -- sum of amountUsd over its distinct financing ties (ties without an amount add nothing)
// column: financings -- number of financing ties
// column: withAmount -- how many of them carry an amount in USD
// column: recipients -- number of distinct borrowers and projects
// column: instruments -- kinds of financing used
MATCH (lender:Entity)-[f:FINANCED]->(target:Entity)
WHERE ($fromYear IS NULL OR f.year >= $fromYear) AND ($toYear IS NULL OR f.year <= $toYear)
  AND ($includeNotRecommended OR coalesce(f.recommendedForAggregates, true))
  AND ($country IS NULL OR EXISTS {
        MATCH (target)-[:LOCATED_IN|GOVERNS|PART_OF]->{1,3}(:Country {id: $country}) })
WITH lender, collect(DISTINCT f) AS financings, collect(DISTINCT target) AS recipients
RETURN lender.name AS lender, lender.id AS lenderId,
       [l IN labels(lender) WHERE l <> 'Entity'][0] AS lenderType,
       reduce(total = 0.0, f IN financings | total + coalesce(f.amountUsd, 0)) AS totalUsd,
       size(financings) AS financings,
       size([f IN financings WHERE f.amountUsd IS NOT NULL]) AS withAmount,
       size(recipients) AS recipients,
       apoc.coll.sort(apoc.coll.toSet([f IN financings WHERE f.instrument IS NOT NULL | f.instrument])) AS instruments
ORDER BY totalUsd DESC, financings DESC, lender
LIMIT $limit
