// LDS and RDS for sidecars: outbound HTTP listeners per port with Host-based routes, outbound
// TCP listeners per service VIP, and inbound listeners per container port of the proxy's own
// services.

import { clusterName, isHttpProtocol } from '../../model/index.ts'
import type { Listener, ProxyNode, RouteConfiguration, VirtualHost } from '../../xds/index.ts'
import { vipsOf } from '../service-entries.ts'
import type { MeshService, MeshSnapshot } from '../snapshot.ts'
import { routesFor } from './routes.ts'

/** Host header values that select a service (Istio's vhost domains; short name in its own namespace). */
function domains(node: ProxyNode, s: MeshService, port: number): string[] {
  // A ServiceEntry host has no short forms: only itself and its VIPs.
  const names = s.entry
    ? [s.host]
    : [
        `${s.name}.${s.namespace}.svc.cluster.local`,
        `${s.name}.${s.namespace}.svc`,
        `${s.name}.${s.namespace}`,
      ]
  if (!s.entry && node.namespace === s.namespace) names.push(s.name)
  names.push(...vipsOf(node, s))
  return names.flatMap((n) => [n, `${n}:${port}`])
}

export function buildSidecarListeners(node: ProxyNode, snap: MeshSnapshot): Listener[] {
  const out: Listener[] = []
  const httpPorts = new Set<number>()
  for (const s of snap.services) {
    for (const p of s.ports) {
      if (isHttpProtocol(p.protocol)) {
        httpPorts.add(p.port)
        continue
      }
      const [vip] = vipsOf(node, s)
      if (!vip) continue
      out.push({
        kind: 'outbound-tcp',
        name: `${vip}_${p.port}`,
        address: vip,
        port: p.port,
        cluster: clusterName({ direction: 'outbound', port: p.port, subset: '', host: s.host }),
      })
    }
  }
  for (const port of [...httpPorts].sort((a, b) => a - b)) {
    out.push({
      kind: 'outbound-http',
      name: `0.0.0.0_${port}`,
      port,
      routeConfigName: String(port),
    })
  }
  const inbound = new Map<number, 'HTTP' | 'TCP'>()
  for (const s of snap.services) {
    const mine = (snap.endpoints.get(s.host) ?? []).some(
      (e) => e.pod === node.pod && e.cluster === node.cluster,
    )
    if (!mine) continue
    for (const p of s.ports) {
      if (!inbound.has(p.targetPort))
        inbound.set(p.targetPort, isHttpProtocol(p.protocol) ? 'HTTP' : 'TCP')
    }
  }
  for (const [port, protocol] of [...inbound].sort((a, b) => a[0] - b[0])) {
    out.push({
      kind: 'inbound',
      name: `${node.ip}_${port}`,
      port,
      cluster: clusterName({ direction: 'inbound', port, subset: '', host: '' }),
      protocol,
    })
  }
  return out
}

export function buildSidecarRoutes(node: ProxyNode, snap: MeshSnapshot): RouteConfiguration[] {
  const byPort = new Map<number, VirtualHost[]>()
  for (const s of snap.services) {
    for (const p of s.ports) {
      if (!isHttpProtocol(p.protocol)) continue
      const hosts = byPort.get(p.port) ?? []
      hosts.push({
        name: `${s.host}:${p.port}`,
        domains: domains(node, s, p.port),
        routes: routesFor(node, snap, s, p.port),
      })
      byPort.set(p.port, hosts)
    }
  }
  return [...byPort]
    .sort((a, b) => a[0] - b[0])
    .map(([port, virtualHosts]) => ({ name: String(port), virtualHosts }))
}
