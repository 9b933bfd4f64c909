// name: influence-path
// title: Influence path
// question: How are two entities connected? The k shortest chains of ties between them, each hop with its year and quote.
// param: from string -- id of the first entity
// param: to string -- id of the second entity
// param: maxHops integer = 6 -- longest chain to consider (at most 8)
// param: k integer = 5 -- how many shortest chains (at most 10)
// param: viaPlaces boolean = false -- also walk through LOCATED_IN and GOVERNS ties (two entities in one country are rarely an influence chain)
// column: rank -- 1 for the shortest chain
// column: length -- number of hops
// column: path -- the chain in words, arrows in the direction of each tie
// column: notes -- the notes of the chain's ties (`from -TYPE-> to: note`) and of its projects (`name: note`)
// column: hops -- each hop with its relationship, year, note and evidence
// visual: path
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
// SHORTEST and the hop bounds take only literals, and asking for more or longer chains than wanted makes
// the search walk on through hubs (a national government, a party body above thousands of committees):
// one branch per k up to 5 or 10 and maxHops up to 6 or 8, and only the branch that fits the parameters
// runs (the others UNWIND an empty list)
CALL (a, b) {
  UNWIND CASE WHEN $k <= 5 AND $maxHops <= 6 THEN [true] ELSE [] END AS thisBranch
  MATCH p = SHORTEST 5 (a)-[r WHERE $viaPlaces OR NOT type(r) IN ['LOCATED_IN', 'GOVERNS']]-{1,6}(b)
  RETURN p
  UNION ALL
  UNWIND CASE WHEN $k <= 5 AND $maxHops > 6 THEN [true] ELSE [] END AS thisBranch
  MATCH p = SHORTEST 5 (a)-[r WHERE $viaPlaces OR NOT type(r) IN ['LOCATED_IN', 'GOVERNS']]-{1,8}(b)
  RETURN p
  UNION ALL
  UNWIND CASE WHEN $k > 5 AND $maxHops <= 6 THEN [true] ELSE [] END AS thisBranch
  MATCH p = SHORTEST 10 (a)-[r WHERE $viaPlaces OR NOT type(r) IN ['LOCATED_IN', 'GOVERNS']]-{1,6}(b)
  RETURN p
  UNION ALL
  UNWIND CASE WHEN $k > 5 AND $maxHops > 6 THEN [true] ELSE [] END AS thisBranch
  MATCH p = SHORTEST 10 (a)-[r WHERE $viaPlaces OR NOT type(r) IN ['LOCATED_IN', 'GOVERNS']]-{1,8}(b)
  RETURN p
}
WITH p WHERE length(p) <= $maxHops
WITH p ORDER BY length(p)
WITH collect(p)[0..$k] AS paths
UNWIND range(0, size(paths) - 1) AS i
WITH i, paths[i] AS p
RETURN i + 1 AS rank, length(p) AS length,
       reduce(s = head(nodes(p)).name, j IN range(0, length(p) - 1) |
         s + CASE WHEN startNode(relationships(p)[j]) = nodes(p)[j]
                  THEN ' -[' + type(relationships(p)[j]) + ']-> '
                  ELSE ' <-[' + type(relationships(p)[j]) + ']- ' END + nodes(p)[j + 1].name) AS path,
       [r IN relationships(p) WHERE r.note IS NOT NULL |
          startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name + ': ' + r.note] +
       [n IN nodes(p) WHERE n:Project AND n.note IS NOT NULL | n.name + ': ' + n.note] AS notes,
       [r IN relationships(p) |
          {from: startNode(r).id, fromName: startNode(r).name,
           fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
           type: type(r), to: endNode(r).id, toName: endNode(r).name,
           toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
           year: coalesce(r.year, r.asOf), note: r.note, properties: properties(r)}] AS hops
ORDER BY rank
