// name: payments
// title: Payments and transfers
// question: Who paid or transferred money to whom that was neither a loan, a grant nor equity, how much, when and what for?
// param: party string = null -- id of the payer or the payee; null for all
// param: fromYear integer = null -- earliest year of the payment
// param: toYear integer = null -- latest year of the payment
// column: payer -- who paid or transferred
// column: payerId -- its id
// column: payee -- who received
// column: payeeId -- its id
// column: kind -- payment, fee, deposit, transfer, settlement or other
// column: amount -- amount in the source's currency, in units
// column: currency -- ISO 4217 code of amount
// column: amountUsd -- amount in US dollars, where given
// column: year -- year of the payment
// column: purpose -- what it was for, where the source says
// column: confidence -- stated, reported or inferred
// column: evidence -- quotes with their sources
// column: note -- the tie's note: what is uncertain, how a value was derived
// column: hops -- the tie (used for pictures)
// visual: neighbourhood
MATCH (payer:Entity)-[t:TRANSFERRED]->(payee:Entity)
WHERE ($party IS NULL OR payer.id = $party OR payee.id = $party)
  AND ($fromYear IS NULL OR t.year >= $fromYear) AND ($toYear IS NULL OR t.year <= $toYear)
RETURN payer.name AS payer, payer.id AS payerId, payee.name AS payee, payee.id AS payeeId,
       t.kind AS kind, t.amount AS amount, t.currency AS currency, t.amountUsd AS amountUsd, t.year AS year,
       t.purpose AS purpose, t.confidence AS confidence,
       [i IN range(0, size(t.evidence) - 1) | t.sources[i] + ': ' + t.evidence[i]] AS evidence,
       t.note AS note,
       [{from: payer.id, fromName: payer.name, fromLabel: [l IN labels(payer) WHERE l <> 'Entity'][0],
         type: 'TRANSFERRED', to: payee.id, toName: payee.name, toLabel: [l IN labels(payee) WHERE l <> 'Entity'][0],
         properties: properties(t)}] AS hops
ORDER BY coalesce(year, t.asOf), payer, payee
