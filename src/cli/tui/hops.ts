// A request's hop-by-hop record as screen lines: each proxy's fields, and at the client sidecar how
// the authority matched a service and why its endpoint was picked (from the client proxy's own
// endpoints); a gateway whose connection record has not arrived yet is described from what the
// hops either side of it saw. Pure: the caller fetches the context once.

import type { Line } from './list-view.ts'
import type { EndpointRow, PodRow, ServiceRow } from './pods.ts'
import { type Hop, hopFields } from './requests.ts'

/** What the client proxy had for the request's upstream cluster when the hops view opened. */
export interface UpstreamChoice {
  /** The client proxy's network. */
  readonly network: string
  readonly endpoints: readonly EndpointRow[]
  /** The cluster's LB policy, e.g. LEAST_REQUEST; absent when the proxy has no such cluster. */
  readonly lbPolicy?: string
}

export interface HopContext {
  /** East-west gateway addresses (`ip:port`). */
  readonly gateways: readonly string[]
  readonly services?: readonly ServiceRow[]
  readonly pods?: readonly PodRow[]
  /** undefined: still reading; 'none': the client proxy could not be read. */
  readonly upstream?: UpstreamChoice | 'none'
}

const INDENT = ' '.repeat(12)
const field = (k: string, v: string): Line => ({ text: `   ${k.padEnd(9)}${v}` })
const more = (v: string): Line => ({ text: `${INDENT}${v}` })

/** `outbound|5000|v1|helloworld.sample.svc.cluster.local` → its port, subset and host. */
function outboundCluster(name: string | undefined) {
  const [kind, port, subset, host] = name?.split('|') ?? []
  return kind === 'outbound' && host ? { port, subset, host } : undefined
}

/** How the client sidecar resolved the request's authority: the service its route led to. */
export function nameLines(r: Hop['record'], services: readonly ServiceRow[] = []): Line[] {
  const asked = r.authority ?? r.downstreamLocalAddress
  if (r.upstreamCluster === 'PassthroughCluster') {
    return [
      field('name', `${asked} → no service matched`),
      more(`sent on to the address the app dialed, ${r.downstreamLocalAddress}`),
    ]
  }
  const c = outboundCluster(r.upstreamCluster)
  if (c === undefined) return r.method ? [field('name', `${asked} → no route matched`)] : []
  const in_ = [...new Set(services.filter((s) => s.host === c.host).map((s) => s.cluster))]
  const by = r.method
    ? 'matched by Host header'
    : `matched by the address dialed, ${r.downstreamLocalAddress}`
  return [
    field('name', `${asked} → ${c.host}:${c.port}${c.subset ? ` subset ${c.subset}` : ''}`),
    more(in_.length > 0 ? `${by}; service in ${in_.join(', ')}` : by),
  ]
}

/** Why the client sidecar sent the request to the endpoint it logged. */
export function whyLines(r: Hop['record'], upstream: HopContext['upstream']): Line[] {
  const host = r.upstreamHost
  if (host === undefined || outboundCluster(r.upstreamCluster) === undefined) return []
  if (upstream === undefined) return [field('why', "reading the client proxy's endpoints…")]
  if (upstream === 'none') return [field('why', "the client proxy's endpoints are not readable")]
  const all = upstream.endpoints
  const chosen = all.find((e) => e.host === host)
  if (chosen === undefined) {
    return [field('why', `${host} is no longer among its ${all.length} endpoints`)]
  }
  const policy = upstream.lbPolicy ? `, ${upstream.lbPolicy.toLowerCase().replace('_', ' ')}` : ''
  const lines = [
    field('why', `1 of ${all.length} endpoint${all.length === 1 ? '' : 's'}${policy} by weight`),
    more(`${host}: ${chosen.reaches}, weight ${chosen.weight}`),
  ]
  if (chosen.reaches.startsWith('gateway')) {
    lines.push(more(`its pods are on another network than ${upstream.network} (split horizon)`))
  }
  for (const e of all.filter((x) => x !== chosen).slice(0, 3)) {
    lines.push(more(`also ${e.host} ${e.reaches}`))
  }
  if (all.length > 4) lines.push(more(`and ${all.length - 4} more`))
  return lines
}

const PASSTHROUGH = 'AUTO_PASSTHROUGH: routes on SNI without terminating TLS'

/** A gateway known only from the hops either side: its address, the SNI, the pod that passed it. */
export function pendingGatewayLines(hops: readonly Hop[], ctx: HopContext): Line[] {
  const client = hops.find((x) => x.role === 'client sidecar')?.record
  const server = hops.find((x) => x.role === 'server sidecar')?.record
  const address = client?.upstreamHost ?? ''
  const upstream = ctx.upstream === 'none' ? undefined : ctx.upstream
  const reaches = upstream?.endpoints.find((e) => e.host === address)?.reaches
  const lines: Line[] = [
    { text: `gateway ${address}${reaches ? `  ${reaches}` : ''}`, style: 'title' },
    field('mode', PASSTHROUGH),
  ]
  const sni = client?.upstreamSni ?? server?.requestedServerName
  if (sni) lines.push(field('SNI', sni))
  if (server) {
    const ip = server.downstreamRemoteAddress.split(':')[0]
    const pod = ctx.pods?.find((p) => p.ip === ip && p.proxy === 'gateway')
    lines.push(
      field(
        'passed',
        `${server.downstreamRemoteAddress}${pod ? ` ${pod.cluster}/${pod.name}` : ''}`,
      ),
      more('(the server sidecar saw the connection come from there)'),
    )
  }
  lines.push(field('record', 'none yet: it logs the connection when it closes'))
  return lines
}

/** The lines under the request's title: each hop numbered, its fields, the client's reasons. */
export function hopLines(hops: readonly Hop[], ctx: HopContext): Line[] {
  const lines: Line[] = []
  let n = 0
  const title = (text: string) => lines.push({ text: `${++n}. ${text}`, style: 'title' })
  for (const hop of hops) {
    const r = hop.record
    title(hop.role)
    for (const [k, v] of hopFields(r)) {
      lines.push(field(k, v))
      if (hop.role === 'client sidecar' && k === 'proxy') lines.push(...nameLines(r, ctx.services))
      if (hop.role === 'client sidecar' && k === 'endpoint') {
        lines.push(...whyLines(r, ctx.upstream))
      }
    }
    if (hop.role === 'gateway') lines.push(field('mode', PASSTHROUGH))
    const next = hops[hops.indexOf(hop) + 1]
    if (
      hop.role === 'client sidecar' &&
      next?.role !== 'gateway' &&
      r.upstreamHost !== undefined &&
      ctx.gateways.includes(r.upstreamHost)
    ) {
      const [head, ...rest] = pendingGatewayLines(hops, ctx)
      if (head) title(head.text)
      lines.push(...rest)
    }
  }
  return lines
}
