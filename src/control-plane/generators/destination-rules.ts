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
import type { LbPolicy, OutlierDetection } from '../../xds/index.ts'
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

/** Go's duration syntax (`30s`, `1m30s`, `500ms`) in milliseconds; undefined when unreadable. */
export function goDurationMs(d: string): number | undefined {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  }
  let total = 0
  let rest = d.trim()
  if (rest === '0') return 0
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.exec(rest)
    if (!m?.[1] || !m[2]) return undefined
    total += Number(m[1]) * (unit[m[2]] ?? 0)
    rest = rest.slice(m[0].length)
  }
  return total
}

/** Envoy's outlier detection from a rule's outlierDetection (Istio's and Envoy's defaults). */
export function outlierOf(
  rule: DestinationRule | undefined,
  subset?: Subset,
): OutlierDetection | undefined {
  const o = policyField(rule, subset, 'outlierDetection')
  if (o === undefined) return undefined
  return {
    consecutive5xx: o.consecutive5xxErrors ?? 5,
    consecutiveGatewayErrors: o.consecutiveGatewayErrors ?? 0,
    baseEjectionMs: (o.baseEjectionTime && goDurationMs(o.baseEjectionTime)) || 30_000,
    maxEjectionPercent: o.maxEjectionPercent ?? 10,
  }
}

/**
 * Whether locality failover applies: Istio orders endpoints by locality only when the rule has
 * outlierDetection and locality load balancing is not turned off (it is on by default).
 */
export function localityFailover(rule: DestinationRule | undefined, subset?: Subset): boolean {
  const lb = policyField(rule, subset, 'loadBalancer')
  return (
    policyField(rule, subset, 'outlierDetection') !== undefined &&
    lb?.localityLbSetting?.enabled !== false
  )
}

/**
 * Istio's locality priorities for one endpoint seen from `proxy` (both `region/zone/subzone`):
 * 0 same subzone, 1 same zone, 2 same region, 3 elsewhere (pilot loadbalancer.go).
 */
export function localityPriority(proxy: string, endpoint: string): number {
  const [pr = '', pz = '', ps = ''] = proxy.split('/')
  const [er = '', ez = '', es = ''] = endpoint.split('/')
  if (pr === '' || pr !== er) return 3
  if (pz !== ez) return 2
  return ps === es ? 0 : 1
}
