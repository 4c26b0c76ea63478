// Which DestinationRule applies to a host for a proxy, and what it means for a cluster: its
// subsets (label selectors over endpoints), load-balancer policy and TLS mode. As istiod does, a
// rule in the proxy's namespace wins, then one in the service's namespace, then any other
// (istio-system, the root namespace); within those the most specific host, then the oldest rule.

import type {
  DestinationRule,
  LbSimple,
  Namespace,
  Subset,
  TrafficPolicy,
} from '../../model/index.ts'
import { hostMatches, qualifyHost } from '../../model/index.ts'
import type { LbPolicy } from '../../xds/index.ts'
import type { EndpointRecord } from '../registry.ts'
import type { MeshSnapshot } from '../snapshot.ts'

/** The rule for `host` as a proxy in `proxyNamespace` sees it, if any. */
export function destinationRuleFor(
  snap: MeshSnapshot,
  host: string,
  proxyNamespace: Namespace | undefined,
  serviceNamespace?: string,
): DestinationRule | undefined {
  let best: { rule: DestinationRule; rank: number } | undefined
  for (const rule of snap.config.destinationRules) {
    const pattern = qualifyHost(rule.spec.host, rule.metadata.namespace)
    if (!hostMatches(pattern, host)) continue
    const ns = rule.metadata.namespace
    const nsRank = ns === proxyNamespace ? 0 : ns === serviceNamespace ? 1 : 2
    // An exact host beats any wildcard; a longer wildcard beats a shorter one.
    const specificity = pattern === host ? 0 : 1 + Math.max(0, 1000 - pattern.length)
    const rank = nsRank * 10_000 + specificity
    if (best === undefined || rank < best.rank) best = { rule, rank }
  }
  return best?.rule
}

/** The subsets a rule defines, in order, without duplicates (the validator rejects those). */
export function subsetsOf(rule: DestinationRule | undefined): readonly Subset[] {
  return rule?.spec.subsets ?? []
}

/** The default cluster and one per subset, each as `[subset name, subset]`. */
export function clusterVariants(rule: DestinationRule | undefined): [string, Subset | undefined][] {
  return [['', undefined], ...subsetsOf(rule).map((s): [string, Subset] => [s.name, s])]
}

/** Labels Istio adds to every endpoint (AugmentLabels), so subsets can select by cluster or network. */
function labelOf(e: EndpointRecord, key: string): string | undefined {
  if (key === 'topology.istio.io/cluster') return e.cluster
  if (key === 'topology.istio.io/network') return e.network
  return e.labels[key]
}

/** Whether an endpoint carries every label of a subset. */
export function inSubset(e: EndpointRecord, subset: Subset | undefined): boolean {
  if (subset === undefined) return true
  for (const [k, v] of Object.entries(subset.labels ?? {})) if (labelOf(e, k) !== v) return false
  return true
}

const LB: Readonly<Record<LbSimple, LbPolicy>> = {
  ROUND_ROBIN: 'ROUND_ROBIN',
  LEAST_REQUEST: 'LEAST_REQUEST',
  LEAST_CONN: 'LEAST_REQUEST',
  RANDOM: 'RANDOM',
  // ORIGINAL_DST is not modelled; the default keeps traffic flowing.
  PASSTHROUGH: 'LEAST_REQUEST',
}

/** A subset's policy field overrides the rule's (Istio merges per top-level field). */
function policyField<K extends keyof TrafficPolicy>(
  rule: DestinationRule | undefined,
  subset: Subset | undefined,
  key: K,
): TrafficPolicy[K] | undefined {
  return subset?.trafficPolicy?.[key] ?? rule?.spec.trafficPolicy?.[key]
}

/** LEAST_REQUEST unless the rule says otherwise (Istio's default since 1.14). */
export function lbPolicyOf(rule: DestinationRule | undefined, subset?: Subset): LbPolicy {
  const simple = policyField(rule, subset, 'loadBalancer')?.simple
  return simple ? LB[simple] : 'LEAST_REQUEST'
}

/** The TLS mode a rule sets for a cluster, or undefined for auto-mTLS. */
export function tlsOf(
  rule: DestinationRule | undefined,
  subset?: Subset,
): TrafficPolicy['tls'] | undefined {
  return policyField(rule, subset, 'tls')
}

/** `name.namespace`, as istioctl shows a cluster's DestinationRule. */
export const ruleRef = (rule: DestinationRule): string =>
  `${rule.metadata.name}.${rule.metadata.namespace}`
