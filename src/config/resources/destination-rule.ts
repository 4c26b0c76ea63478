// DestinationRule checks after Istio's ValidateDestinationRule (host, subsets, traffic policy:
// load balancer, locality settings, outlier detection, TLS) and the conversion to the model.

import type { DestinationRule, ObjectMeta, TrafficPolicy } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { isLabel, wildcardDomainProblem } from './hosts.ts'
import type { Path, Report } from './report.ts'
import type { DestinationRuleInput, TrafficPolicyInput } from './schema.ts'
import { checkDuration, checkExportTo, checkLabels, notEmulated } from './values.ts'

type LoadBalancer = NonNullable<TrafficPolicyInput['loadBalancer']>
type Locality = NonNullable<LoadBalancer['localityLbSetting']>
type Outlier = NonNullable<TrafficPolicyInput['outlierDetection']>
type Tls = NonNullable<TrafficPolicyInput['tls']>

const TOPOLOGY_LABELS = [
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.istio.io/subzone',
]

/** Istio's validateLocalities: well-formed region/zone/subzone, one trailing '*', no overlaps. */
function localitiesProblem(localities: readonly string[]): string | undefined {
  const seen: string[][] = []
  for (const l of localities) {
    const stars = [...l].filter((c) => c === '*').length
    if (stars > 1 || (stars === 1 && !l.endsWith('*')))
      return `locality ${l} may have one '*', only at its end`
    const parts = l.split('/', 3)
    if (parts.some((p) => p === '')) return `locality ${l} has an empty region, zone or subzone`
    const covers = (a: string[], b: string[]) =>
      a.every((p, i) => p === '*' || p === b[i]) || b.every((p, i) => p === '*' || p === a[i])
    const overlapping = seen.find(
      (s) => covers(s.slice(0, parts.length), parts) || covers(parts.slice(0, s.length), s),
    )
    if (overlapping) return `locality ${l} overlaps ${overlapping.join('/')}`
    seen.push(parts)
  }
  return undefined
}

function checkLocality(r: Report, path: Path, l: Locality, outlier: Outlier | undefined): void {
  const { distribute = [], failover = [], failoverPriority = [] } = l
  if (distribute.length > 0 && failover.length > 0) {
    r.error(
      ProblemCode.Conflict,
      [...path, 'failover'],
      'distribute and failover cannot be set together',
      'key',
    )
    return
  }
  const topology = failoverPriority.find((p) => TOPOLOGY_LABELS.includes(p))
  if (failover.length > 0 && topology) {
    r.error(
      ProblemCode.Conflict,
      [...path, 'failoverPriority'],
      `failover cannot be set together with the topology label ${topology} in failoverPriority`,
      'key',
    )
    return
  }
  for (const [i, d] of distribute.entries()) {
    const weights = Object.values(d.to)
    if (weights.some((w) => w <= 0 || w > 100)) {
      r.error(
        ProblemCode.BadWeight,
        [...path, 'distribute', i, 'to'],
        'each locality weight must be 1 to 100',
      )
      return
    }
    const total = weights.reduce((a, b) => a + b, 0)
    if (total !== 100) {
      r.error(
        ProblemCode.BadWeight,
        [...path, 'distribute', i, 'to'],
        `locality weights must add up to 100; these add up to ${total}`,
      )
      return
    }
    const why = localitiesProblem(Object.keys(d.to))
    if (why) r.error(ProblemCode.BadValue, [...path, 'distribute', i, 'to'], why)
  }
  const why = localitiesProblem(distribute.map((d) => d.from))
  if (why) r.error(ProblemCode.BadValue, [...path, 'distribute'], why, 'key')
  if ((failover.length > 0 || failoverPriority.length > 0) && !outlier)
    r.warn(
      ProblemCode.IstioWarning,
      path,
      'locality failover takes effect only with outlierDetection in the same traffic policy',
      'key',
    )
  failover.forEach((f, i) => {
    const at = [...path, 'failover', i]
    if (f.from === f.to)
      r.error(ProblemCode.BadValue, at, `failover from and to are both ${f.from}; name two regions`)
    if (f.from.includes('/') || f.to.includes('/'))
      r.error(ProblemCode.BadValue, at, 'failover names regions only, without zones')
    if (f.from.includes('*') || f.to.includes('*'))
      r.error(ProblemCode.BadValue, at, "failover regions cannot contain '*'")
  })
}

function checkLoadBalancer(r: Report, path: Path, lb: LoadBalancer, outlier?: Outlier): void {
  if (lb.simple !== undefined && lb.consistentHash !== undefined)
    r.error(
      ProblemCode.Conflict,
      [...path, 'consistentHash'],
      'loadBalancer has either simple or consistentHash, not both',
      'key',
    )
  if (lb.consistentHash) notEmulated(r, [...path, 'consistentHash'], 'consistentHash')
  if (lb.localityLbSetting)
    checkLocality(r, [...path, 'localityLbSetting'], lb.localityLbSetting, outlier)
  if (lb.warmupDurationSecs !== undefined) {
    checkDuration(r, [...path, 'warmupDurationSecs'], lb.warmupDurationSecs)
    notEmulated(r, [...path, 'warmupDurationSecs'], 'warmupDurationSecs')
  }
  if (lb.warmup) notEmulated(r, [...path, 'warmup'], 'warmup')
}

function checkOutlier(r: Report, path: Path, o: Outlier): void {
  checkDuration(r, [...path, 'baseEjectionTime'], o.baseEjectionTime)
  checkDuration(r, [...path, 'interval'], o.interval)
  for (const f of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const v = o[f]
    if (v !== undefined && (v < 0 || v > 100))
      r.error(ProblemCode.BadValue, [...path, f], `${f} must be 0 to 100`)
  }
  if ((o.consecutiveLocalOriginFailures ?? 0) > 0 && !o.splitExternalLocalOriginErrors)
    r.error(
      ProblemCode.Conflict,
      [...path, 'consecutiveLocalOriginFailures'],
      'consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true',
      'key',
    )
  if (o.consecutiveErrors !== undefined)
    r.warn(
      ProblemCode.IstioWarning,
      [...path, 'consecutiveErrors'],
      'consecutiveErrors is deprecated; use consecutive5xxErrors or consecutiveGatewayErrors',
      'key',
    )
  for (const f of [
    'consecutiveErrors',
    'consecutiveLocalOriginFailures',
    'splitExternalLocalOriginErrors',
    'minHealthPercent',
  ] as const)
    if (o[f] !== undefined) notEmulated(r, [...path, f], f)
}

function checkTls(r: Report, path: Path, tls: Tls): void {
  const certs = ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'] as const
  if ((tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL') && tls.credentialName) {
    const extra = certs.find((f) => tls[f] !== undefined)
    if (extra)
      r.error(
        ProblemCode.Conflict,
        [...path, extra],
        `${extra} cannot be set together with credentialName`,
        'key',
      )
  } else if (tls.mode === 'MUTUAL') {
    for (const f of ['clientCertificate', 'privateKey'] as const)
      if (!tls[f])
        r.error(
          ProblemCode.MissingField,
          [...path, 'mode'],
          `mode MUTUAL needs ${f} (or credentialName)`,
        )
  }
  if (tls.insecureSkipVerify && tls.mode === 'SIMPLE') {
    const extra = (['caCertificates', 'credentialName', 'subjectAltNames'] as const).find(
      (f) => tls[f] !== undefined,
    )
    if (extra)
      r.error(
        ProblemCode.Conflict,
        [...path, extra],
        `${extra} cannot be set when insecureSkipVerify is true`,
        'key',
      )
  }
  for (const f of [...certs, 'credentialName', 'insecureSkipVerify'] as const)
    if (tls[f] !== undefined) notEmulated(r, [...path, f], `tls.${f}`)
}

function checkTrafficPolicy(r: Report, path: Path, tp: TrafficPolicyInput): void {
  if (Object.keys(tp).length === 0) {
    r.error(ProblemCode.MissingField, path, 'a trafficPolicy needs at least one field', 'key')
    return
  }
  if (tp.tunnel && tp.proxyProtocol)
    r.error(
      ProblemCode.Conflict,
      [...path, 'proxyProtocol'],
      'tunnel and proxyProtocol cannot be set together',
      'key',
    )
  if (tp.outlierDetection) checkOutlier(r, [...path, 'outlierDetection'], tp.outlierDetection)
  if (tp.loadBalancer)
    checkLoadBalancer(r, [...path, 'loadBalancer'], tp.loadBalancer, tp.outlierDetection)
  if (tp.tls) checkTls(r, [...path, 'tls'], tp.tls)
  if (tp.connectionPool) {
    if (tp.connectionPool.http === undefined && tp.connectionPool.tcp === undefined)
      r.error(
        ProblemCode.MissingField,
        [...path, 'connectionPool'],
        'connectionPool needs http or tcp settings',
        'key',
      )
    notEmulated(r, [...path, 'connectionPool'], 'connectionPool')
  }
  tp.portLevelSettings?.forEach((p, i) => {
    const at = [...path, 'portLevelSettings', i]
    if (!p.port) r.error(ProblemCode.MissingField, at, 'a port-level policy needs port')
    if (!p.loadBalancer && !p.outlierDetection && !p.tls && !p.connectionPool)
      r.error(ProblemCode.MissingField, at, 'a port-level policy needs at least one setting')
  })
  if (tp.portLevelSettings) notEmulated(r, [...path, 'portLevelSettings'], 'portLevelSettings')
  if (tp.tunnel) notEmulated(r, [...path, 'tunnel'], 'tunnel')
  if (tp.proxyProtocol) notEmulated(r, [...path, 'proxyProtocol'], 'proxyProtocol')
}

export function checkDestinationRule(dr: DestinationRuleInput, ns: string, r: Report): void {
  const spec = dr.spec
  const why = wildcardDomainProblem(spec.host)
  if (why)
    r.error(ProblemCode.BadHost, ['spec', 'host'], `host "${spec.host}" is not valid: ${why}`)
  if (spec.trafficPolicy) checkTrafficPolicy(r, ['spec', 'trafficPolicy'], spec.trafficPolicy)
  const names = new Map<string, number>()
  spec.subsets?.forEach((s, i) => {
    const at = ['spec', 'subsets', i]
    const first = names.get(s.name)
    if (first !== undefined)
      r.error(
        ProblemCode.Duplicate,
        [...at, 'name'],
        `subset "${s.name}" is already defined at subsets[${first}]; subset names are unique`,
      )
    else names.set(s.name, i)
    if (s.name === '') r.error(ProblemCode.BadValue, [...at, 'name'], 'a subset needs a name')
    else if (!isLabel(s.name))
      r.error(
        ProblemCode.BadValue,
        [...at, 'name'],
        `subset name "${s.name}" must be a DNS label: letters, digits and '-', at most 63`,
      )
    checkLabels(r, [...at, 'labels'], s.labels)
    if (s.trafficPolicy) checkTrafficPolicy(r, [...at, 'trafficPolicy'], s.trafficPolicy)
  })
  checkExportTo(r, ['spec', 'exportTo'], spec.exportTo, ns, false)
  const selector = spec.workloadSelector
  if (selector) {
    const at = ['spec', 'workloadSelector']
    for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
      if (k === '' || k.includes('*') || v.includes('*'))
        r.error(
          ProblemCode.BadValue,
          [...at, 'matchLabels', k],
          'selector labels cannot be empty or use "*"',
        )
    if (Object.keys(selector.matchLabels ?? {}).length === 0)
      r.warn(ProblemCode.IstioWarning, at, 'workloadSelector has no labels', 'key')
    const exports = (spec.exportTo ?? []).map((e) => (e === '.' ? ns : e))
    if (exports.some((e) => e !== ns))
      r.error(
        ProblemCode.Conflict,
        ['spec', 'exportTo'],
        'a DestinationRule with workloadSelector can be exported only to its own namespace',
        'key',
      )
    notEmulated(r, at, 'workloadSelector in a DestinationRule')
  }
}

function toTrafficPolicy(tp: TrafficPolicyInput): TrafficPolicy {
  const lb = tp.loadBalancer
  const o = tp.outlierDetection
  const simple = lb?.simple === 'UNSPECIFIED' ? undefined : lb?.simple
  const l = lb?.localityLbSetting
  return {
    ...(lb
      ? {
          loadBalancer: {
            ...(simple ? { simple } : {}),
            ...(l
              ? {
                  localityLbSetting: {
                    ...(l.enabled !== undefined ? { enabled: l.enabled } : {}),
                    ...(l.failover ? { failover: l.failover } : {}),
                    ...(l.failoverPriority ? { failoverPriority: l.failoverPriority } : {}),
                    ...(l.distribute ? { distribute: l.distribute } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(o
      ? {
          outlierDetection: {
            ...(o.consecutive5xxErrors !== undefined
              ? { consecutive5xxErrors: o.consecutive5xxErrors }
              : {}),
            ...(o.consecutiveGatewayErrors !== undefined
              ? { consecutiveGatewayErrors: o.consecutiveGatewayErrors }
              : {}),
            ...(o.interval ? { interval: o.interval } : {}),
            ...(o.baseEjectionTime ? { baseEjectionTime: o.baseEjectionTime } : {}),
            ...(o.maxEjectionPercent !== undefined
              ? { maxEjectionPercent: o.maxEjectionPercent }
              : {}),
          },
        }
      : {}),
    ...(tp.tls
      ? {
          tls: {
            mode: tp.tls.mode ?? 'DISABLE',
            ...(tp.tls.sni !== undefined ? { sni: tp.tls.sni } : {}),
            ...(tp.tls.subjectAltNames ? { subjectAltNames: tp.tls.subjectAltNames } : {}),
          },
        }
      : {}),
  }
}

export function toDestinationRule(dr: DestinationRuleInput, metadata: ObjectMeta): DestinationRule {
  const s = dr.spec
  return {
    kind: 'DestinationRule',
    metadata,
    spec: {
      host: s.host,
      ...(s.trafficPolicy ? { trafficPolicy: toTrafficPolicy(s.trafficPolicy) } : {}),
      ...(s.subsets
        ? {
            subsets: s.subsets.map((sub) => ({
              name: sub.name,
              ...(sub.labels ? { labels: sub.labels } : {}),
              ...(sub.trafficPolicy ? { trafficPolicy: toTrafficPolicy(sub.trafficPolicy) } : {}),
            })),
          }
        : {}),
      ...(s.exportTo ? { exportTo: s.exportTo } : {}),
    },
  }
}
