// Envoy cluster names and their SNI form, built and parsed in one place so they stay inverse
// (istio pilot/pkg/model/service.go: BuildSubsetKey, BuildDNSSrvSubsetKey, ParseSubsetKey).
//   cluster name: outbound|5000||helloworld.sample.svc.cluster.local
//   SNI form:     outbound_.5000_._.helloworld.sample.svc.cluster.local

import type { ServiceHost } from './ids.ts'

export type TrafficDirection = 'outbound' | 'inbound'

export interface ClusterKey {
  readonly direction: TrafficDirection
  readonly port: number
  /** DestinationRule subset name; '' for none. */
  readonly subset: string
  /** '' for inbound clusters, which name no host (`inbound|5000||`). */
  readonly host: ServiceHost | ''
}

const PIPE = '|'
const SRV = '_.'

function build(k: ClusterKey, sep: string): string {
  return [k.direction, String(k.port), k.subset, k.host].join(sep)
}

/** `outbound|5000|v1|helloworld.sample.svc.cluster.local`: the cluster name Envoy shows. */
export function clusterName(k: ClusterKey): string {
  return build(k, PIPE)
}

/** `outbound_.5000_.v1_.helloworld.sample.svc.cluster.local`: the SNI a sidecar sends. */
export function sniName(k: ClusterKey): string {
  return build(k, SRV)
}

/**
 * Parses either form. Like Istio, a host that still contains the separator parses to '' (so it
 * matches nothing); anything without a direction and a valid port is undefined.
 */
export function parseClusterKey(key: string): ClusterKey | undefined {
  const sep = key.startsWith(`outbound${SRV}`) || key.startsWith(`inbound${SRV}`) ? SRV : PIPE
  const parts: string[] = []
  let rest = key
  for (let i = 0; i < 3; i++) {
    const at = rest.indexOf(sep)
    if (at < 0) return undefined
    parts.push(rest.slice(0, at))
    rest = rest.slice(at + sep.length)
  }
  const [direction, portText, subset = ''] = parts
  if (direction !== 'outbound' && direction !== 'inbound') return undefined
  if (!/^[0-9]{1,5}$/.test(portText ?? '')) return undefined
  const port = Number(portText)
  if (port < 1 || port > 65535) return undefined
  const host = (rest.includes(sep) ? '' : rest) as ServiceHost | ''
  return { direction, port, subset, host }
}
