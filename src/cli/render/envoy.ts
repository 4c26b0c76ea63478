// istioctl proxy-config renderers over a meshsim config dump: the same columns, names and sort
// orders as istioctl's writers (istioctl/pkg/writer/envoy/...), so a learner reads the same
// tables here and on a real cluster.

import type { ProxyDump } from '../../runtime/index.ts'
import { table } from './table.ts'

type Config = NonNullable<ProxyDump['config']>
type Listener = Config['listeners'][number]

/** Go's string order (bytes, so upper case first), which istioctl sorts by. */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** A cluster name cut into istioctl's parts; names without three `|` are shown whole. */
function parts(name: string) {
  const p = name.split('|')
  if (p.length > 3) {
    return {
      direction: p[0] ?? '',
      port: Number(p[1]),
      subset: p[2] ?? '',
      fqdn: p.slice(3).join('|'),
    }
  }
  return { direction: '', port: 0, subset: '', fqdn: name }
}

/** `SERVICE FQDN  PORT  SUBSET  DIRECTION  TYPE  DESTINATION RULE` */
export function clustersTable(config: Config): string {
  const rows: { name: string; type: string; rule: string }[] = [
    ...config.clusters.map((c) => ({ name: c.name, type: c.type, rule: c.destinationRule ?? '' })),
    ...config.listeners
      .filter((l) => l.kind === 'inbound')
      .map((l) => ({ name: (l as { cluster: string }).cluster, type: 'ORIGINAL_DST', rule: '' })),
    { name: 'BlackHoleCluster', type: 'STATIC', rule: '' },
    { name: 'PassthroughCluster', type: 'ORIGINAL_DST', rule: '' },
  ]
  const unique = [...new Map(rows.map((r) => [r.name, r])).values()]
  unique.sort((a, b) => {
    const x = parts(a.name)
    const y = parts(b.name)
    return (
      byteOrder(x.fqdn, y.fqdn) ||
      byteOrder(x.subset, y.subset) ||
      x.port - y.port ||
      byteOrder(x.direction, y.direction)
    )
  })
  return table(
    ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
    unique.map((r) => {
      const p = parts(r.name)
      return p.direction
        ? [p.fqdn, String(p.port), p.subset || '-', p.direction, r.type, r.rule]
        : [r.name, '-', '-', '-', r.type, r.rule]
    }),
  )
}

/** `ENDPOINT  STATUS  OUTLIER CHECK  CLUSTER`, sorted by address, port, cluster. */
export function endpointsTable(config: Config, ejected: readonly string[] = []): string {
  const failed = new Set(ejected)
  const rows = config.endpoints.flatMap((a) =>
    a.endpoints.map((e) => ({ address: e.address, port: e.port, cluster: a.clusterName })),
  )
  rows.sort(
    (a, b) => byteOrder(a.address, b.address) || a.port - b.port || byteOrder(a.cluster, b.cluster),
  )
  return table(
    ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'],
    rows.map((r) => {
      const host = `${r.address}:${r.port}`
      // An ejected host keeps its EDS health; only the outlier check fails (Envoy's /clusters).
      return [host, 'HEALTHY', failed.has(`${r.cluster}|${host}`) ? 'FAILED' : 'OK', r.cluster]
    }),
  )
}

function listenerRows(l: Listener, podIp: string): string[][] {
  switch (l.kind) {
    case 'outbound-http':
      return [['0.0.0.0', String(l.port), 'ALL', `Route: ${l.routeConfigName}`]]
    case 'outbound-tcp':
      return [[l.address, String(l.port), 'ALL', `Cluster: ${l.cluster}`]]
    case 'inbound':
      return [
        [
          podIp,
          String(l.port),
          l.protocol === 'HTTP'
            ? 'Trans: tls; App: istio-http/1.0,istio-http/1.1,istio-h2'
            : 'Trans: tls',
          l.protocol === 'HTTP' ? `Inline Route: /*` : `Cluster: ${l.cluster}`,
        ],
      ]
    case 'gateway':
      return l.filterChains.map((c) => [
        '0.0.0.0',
        String(l.port),
        c.serverName === '*' ? 'ALL' : `SNI: ${c.serverName}`,
        `Cluster: ${c.cluster}`,
      ])
  }
}

/** `ADDRESSES  PORT  MATCH  DESTINATION` */
export function listenersTable(config: Config, podIp: string): string {
  return table(
    ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'],
    config.listeners.flatMap((l) => listenerRows(l, podIp)),
  )
}

function matchText(m: Config['routes'][number]['virtualHosts'][number]['routes'][number]['match']) {
  const p = m.path
  const path = !p
    ? '/*'
    : 'prefix' in p
      ? `${p.prefix}*`
      : 'exact' in p
        ? p.exact
        : `${p.regex} (regex)`
  return m.headers.length > 0
    ? `${path} (+${m.headers.length} header${m.headers.length > 1 ? 's' : ''})`
    : path
}

/** `NAME  VHOST NAME  DOMAINS  MATCH  VIRTUAL SERVICE` */
export function routesTable(config: Config): string {
  const rows = config.routes.flatMap((rc) =>
    rc.virtualHosts.flatMap((vh) => {
      const domains =
        vh.domains.length > 1
          ? `${vh.domains[0]} + ${vh.domains.length - 1} more...`
          : (vh.domains[0] ?? '')
      return vh.routes.map((r) => [
        rc.name,
        vh.name,
        domains,
        matchText(r.match),
        r.virtualService ?? '',
      ])
    }),
  )
  return table(['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'], rows)
}

/** `RESOURCE NAME  TYPE  STATUS  VALID CERT  SERIAL NUMBER  NOT AFTER  NOT BEFORE` */
export function secretsTable(dump: ProxyDump): string {
  return table(
    ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
    dump.secrets.map((s) => {
      const c = s.certificates[0]
      return [
        s.name,
        s.type,
        s.status,
        String(s.validCert),
        c?.serialNumber ?? '',
        c?.notAfter ?? '',
        c?.notBefore ?? '',
      ]
    }),
  )
}
