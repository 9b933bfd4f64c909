// name: party-channel
// title: Party channel
// question: Which organisations host Communist Party committees, how many branches do they have, and how do they lead up to higher party bodies? (A channel of influence, not ownership or control.)
// param: entity string = null -- id of one organisation; its owners' committees are included. Null lists every organisation with a committee
// param: maxOwnerDepth integer = 3 -- how far up the ownership chain to look for owners with committees (at most 6)
// column: organisation -- the organisation hosting the committee
// column: organisationId -- its id
// column: reachedVia -- `own committee`, or the ownership chain from the entity up to the owner that hosts it
// column: committee -- the party committee or branch
// column: level -- its level
// column: branchCount -- number of party branches, where known
// column: memberCount -- number of party members, where known
// column: partyPath -- party bodies above the committee, nearest first
// column: channel -- always `party committee (influence, not ownership)`
// column: evidence -- quotes for the HAS_PARTY_COMMITTEE tie, with sources
// column: note -- the HAS_PARTY_COMMITTEE tie's note
// column: hops -- the ownership ties, the committee tie and the party ties (used for pictures)
// visual: party
CALL (*) {
  MATCH (org:Entity)-[has:HAS_PARTY_COMMITTEE]->(committee:PartyCommittee)
  WHERE $entity IS NULL
  RETURN org, has, committee, [] AS ownership
  UNION
  MATCH ownPath = (org:Entity)-[:OWNS]->{0,6}(:Entity {id: $entity})
  WHERE $entity IS NOT NULL AND length(ownPath) <= $maxOwnerDepth
  MATCH (org)-[has:HAS_PARTY_COMMITTEE]->(committee:PartyCommittee)
  RETURN org, has, committee, relationships(ownPath) AS ownership
}
OPTIONAL MATCH partyPath = (committee)-[:PART_OF]->{1,6}(top:PartyCommittee)
WHERE NOT (top)-[:PART_OF]->(:PartyCommittee)
WITH org, has, committee, ownership, partyPath
ORDER BY length(partyPath) DESC
WITH org, has, committee, ownership, collect(partyPath)[0] AS partyPath
RETURN org.name AS organisation, org.id AS organisationId,
       CASE WHEN size(ownership) = 0 THEN 'own committee'
            ELSE reduce(s = endNode(last(ownership)).name, r IN reverse(ownership) | s + ' <- owned by ' + startNode(r).name)
       END AS reachedVia,
       committee.name AS committee, committee.level AS level,
       committee.branchCount AS branchCount, committee.memberCount AS memberCount,
       CASE WHEN partyPath IS NULL THEN [] ELSE [n IN tail(nodes(partyPath)) | n.name] END AS partyPath,
       'party committee (influence, not ownership)' AS channel,
       [i IN range(0, size(has.evidence) - 1) | has.sources[i] + ': ' + has.evidence[i]] AS evidence,
       has.note AS note,
       [r IN ownership + [has] + CASE WHEN partyPath IS NULL THEN [] ELSE relationships(partyPath) END |
          {from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           properties: properties(r)}] AS hops
ORDER BY coalesce(branchCount, -1) DESC, organisation
