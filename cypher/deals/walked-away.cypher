// name: walked-away
// title: Rejected, cancelled and aborted deals, and exclusions
// question: Who walked away from which vendor, when, and who got a contract of the same kind instead? Refused projects beside decisions to ban, remove or review a vendor's equipment.
// param: country string = null -- ISO 3166 alpha-2 code of the project's country, or of the country whose government or body decided an exclusion
// param: vendor string = null -- id of the vendor walked away from
// param: insteadLimit integer = 10 -- at most this many entries in `instead` (ask for more to see more)
// param: limit integer = 100 -- how many rows (the newest first)
// param: skip integer = 0 -- rows to pass over first, to page through the rest
// column: kind -- `project` (a refused project) or `exclusion` (a decision about a vendor, not a project)
// column: project -- the refused project; for an exclusion, what it covers
// column: status -- rejected, cancelled or aborted; for an exclusion ban, removal or review (a review is not yet a decision)
// column: year -- year of the decision or of the project
// column: buyer -- who walked away, or who decided the exclusion
// column: vendors -- the vendors that lost the deal, with roles; for an exclusion the vendor excluded (a country: everything made there)
// column: countries -- ISO codes of the project's countries, or of the deciding government's
// column: instead -- projects of the same kind by the same buyer or in the same country that went ahead, with their vendors (at most insteadLimit)
// column: evidence -- quotes for the refusal or the exclusion, with sources
// column: note -- the note of the buyer's tie to the refused project, or of the exclusion
// column: projectNote -- the project's own note
// column: hops -- the commissioning and contracting ties, or the exclusion (used for pictures)
CALL () {
  // refused by the project's status or by the buyer's own step (both indexed); the newest first, and only as
  // many as the page needs before countries, vendors and alternatives are read
  CALL () {
    MATCH (project:Project)
    WHERE project.status IN ['rejected', 'cancelled', 'aborted']
    RETURN project
    UNION
    MATCH (:Entity)-[c:COMMISSIONED]->(project:Project)
    WHERE c.status IN ['rejected', 'cancelled', 'aborted']
    RETURN project
  }
  OPTIONAL MATCH (buyer:Entity)-[c:COMMISSIONED]->(project)
  WITH project, buyer, c, coalesce(c.status, project.status) AS status
  WHERE status IN ['rejected', 'cancelled', 'aborted']
    AND ($country IS NULL OR EXISTS { (project)-[:LOCATED_IN]->{1,2}(:Country {id: $country}) })
    AND ($vendor IS NULL OR EXISTS { (:Company {id: $vendor})-[:CONTRACTED_FOR]->(project) })
  WITH project, buyer, c, status, coalesce(c.year, project.year) AS year
  ORDER BY coalesce(year, 0) DESC, project.name, buyer.name
  LIMIT $skip + $limit
  OPTIONAL MATCH (project)-[:LOCATED_IN]->{1,2}(country:Country)
  WITH project, buyer, c, status, year, collect(DISTINCT country) AS countries
  OPTIONAL MATCH (lost:Company)-[k:CONTRACTED_FOR]->(project)
  WITH project, buyer, c, status, year, countries, collect(k) AS contracts
  // same-kind projects that went ahead, of the same buyer or in one of the same countries
  CALL (project, buyer, countries) {
    CALL (project, buyer, countries) {
      MATCH (buyer)-[:COMMISSIONED]->(other:Project {kind: project.kind})
      RETURN other
      UNION
      UNWIND countries AS x
      MATCH (x)<-[:LOCATED_IN]-{1,2}(other:Project {kind: project.kind})
      RETURN other
    }
    WITH other
    WHERE other <> project AND NOT coalesce(other.status, '') IN ['rejected', 'cancelled', 'aborted']
    MATCH (other)<-[:CONTRACTED_FOR]-(winner:Company)
    WITH DISTINCT other.name + ' (' + winner.name + ')' AS alternative
    LIMIT $insteadLimit
    RETURN collect(alternative) AS instead
  }
  RETURN 'project' AS kind, project.name AS project, status, year,
         buyer.name AS buyer, [k IN contracts | startNode(k).name + ' (' + k.role + ')'] AS vendors,
         [x IN countries | x.id] AS countries, instead,
         [i IN range(0, size(coalesce(c, project).evidence) - 1) |
            coalesce(c, project).sources[i] + ': ' + coalesce(c, project).evidence[i]] AS evidence,
         c.note AS note, project.note AS projectNote,
         [r IN CASE WHEN c IS NULL THEN [] ELSE [c] END + contracts |
            {from: startNode(r).id, fromName: startNode(r).name,
             fromLabel: [l IN labels(startNode(r)) WHERE l <> 'Entity'][0],
             type: type(r), to: endNode(r).id, toName: endNode(r).name,
             toLabel: [l IN labels(endNode(r)) WHERE l <> 'Entity'][0],
             properties: properties(r)}] AS hops
  UNION ALL
  // a government's country: the one it governs, or that of the government it is part of
  MATCH (decider:Entity)-[x:EXCLUDED]->(vendor:Entity)
  WHERE $vendor IS NULL OR vendor.id = $vendor
  OPTIONAL MATCH (decider)-[:PART_OF]->{0,2}(:Entity)-[:GOVERNS|LOCATED_IN]->{1,2}(country:Country)
  WITH decider, x, vendor, collect(DISTINCT country.id) AS countries
  WHERE $country IS NULL OR $country IN countries
  RETURN 'exclusion' AS kind, x.scope AS project, x.measure AS status, x.year AS year, decider.name AS buyer,
         [vendor.name + CASE WHEN vendor:Country THEN ' (every vendor from or product made there)'
                             ELSE ' (excluded)' END] AS vendors,
         countries, [] AS instead,
         [i IN range(0, size(x.evidence) - 1) | x.sources[i] + ': ' + x.evidence[i]] AS evidence,
         x.note AS note, null AS projectNote,
         [{from: decider.id, fromName: decider.name, fromLabel: [l IN labels(decider) WHERE l <> 'Entity'][0],
           type: 'EXCLUDED', to: vendor.id, toName: vendor.name,
           toLabel: [l IN labels(vendor) WHERE l <> 'Entity'][0], properties: properties(x)}] AS hops
}
RETURN kind, project, status, year, buyer, vendors, countries, instead, evidence, note, projectNote, hops
ORDER BY coalesce(year, 0) DESC, kind, project, buyer
SKIP $skip
LIMIT $limit
