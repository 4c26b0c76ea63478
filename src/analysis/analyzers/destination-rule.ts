// DestinationRules against what their istiod discovers (Istio's destinationrule
// SubsetSelectPodAnalyzer): the host must be a known service (IST0174), and each subset must
// select at least one instance of it (IST0173), or requests routed to the subset fail with 503 UH.
//
// Istio matches a subset's labels against every pod of the analyzed cluster; meshsim matches
// them against the instances of the rule's host in every cluster its istiod discovers (the pods
// the Service selects, a ServiceEntry's endpoints), which is what decides whether routing works.

import type { Catalog } from '../catalog.ts'
import { selects } from '../catalog.ts'
import { type Finding, findingOn } from '../finding.ts'
import {
  DestinationRuleSubsetNotSelectPods,
  text,
  UnknownDestinationRuleHost,
} from '../messages.ts'
import type { ClusterInput } from '../types.ts'

export function analyzeDestinationRules(cluster: ClusterInput, catalog: Catalog): Finding[] {
  const out: Finding[] = []
  for (const located of cluster.resources) {
    const dr = located.resource
    if (dr.kind !== 'DestinationRule') continue
    const known = catalog.lookup(dr.metadata.namespace, dr.spec.exportTo, dr.spec.host)
    if (known === undefined) {
      // A wildcard rule (`*.global`, `*.local`) is policy for hosts to come, not a reference.
      if (!dr.spec.host.startsWith('*'))
        out.push(
          findingOn(
            UnknownDestinationRuleHost,
            located,
            cluster.name,
            text.unknownDestinationRuleHost(dr.spec.host),
          ),
        )
      continue
    }
    for (const subset of dr.spec.subsets ?? []) {
      if (known.instances.some((labels) => selects(subset.labels ?? {}, labels))) continue
      out.push(
        findingOn(
          DestinationRuleSubsetNotSelectPods,
          located,
          cluster.name,
          text.destinationRuleSubsetNotSelectPods(subset.name),
        ),
      )
    }
  }
  return out
}
