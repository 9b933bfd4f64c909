// name: search-entities
// title: Search entities by name
// question: Which entities have a name or alias like this text? Case, accents and punctuation do not matter; small misspellings are forgiven.
// param: text string -- words to look for (e.g. "china eximbank", "Vucic", "hikvison")
// param: limit integer = 20 -- how many hits
// column: id -- entity id
// column: label -- its label
// column: name -- its name
// column: aliases -- its other names
// column: score -- full-text relevance, highest first
WITH [w IN split(toLower(reduce(s = $text, c IN ['\\', '+', '-', '&', '|', '!', '(', ')', '{', '}', '[', ']', '^',
                                                 '"', '~', '*', '?', ':', '/', ',', '.', ';', "'",
                                                 '\t', '\n', '\r', '\f', '\u000B', '\u3000'] |
                                replace(s, c, ' '))), ' ')
      WHERE w <> '' AND NOT w IN ['and', 'or', 'not', 'to']][..100] AS words
WHERE size(words) > 0
// each word as typed (analysed, so accents fold), as a prefix, and within one edit when long enough;
// at most 100 words of at most 100 characters, within Lucene's limits (1024 clauses, automata of 1000 states)
WITH reduce(q = '', w IN [w IN words | left(w, 100)] |
            q + ' ' + w + ' ' + w + '*' + CASE WHEN size(w) >= 4 THEN ' ' + w + '~1' ELSE '' END) AS lucene
CALL db.index.fulltext.queryNodes('entity_names', lucene, {limit: $limit}) YIELD node, score
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label, node.name AS name,
       node.aliases AS aliases, score
ORDER BY score DESC, name
