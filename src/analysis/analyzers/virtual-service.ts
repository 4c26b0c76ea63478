// VirtualService references, as Istio's virtualservice.DestinationHostAnalyzer,
// DestinationRuleAnalyzer and GatewayAnalyzer check them: every destination host exists (with
// the port it names), every subset is defined by a DestinationRule for that host, and every
// gateway exists and serves at least one of the VirtualService's hosts.

import type { Destination, Gateway, VirtualService } from '../../model/index.ts'
import type { Catalog } from '../catalog.ts'
import { type Finding, findingOn } from '../finding.ts'
import { hostsOverlap, resourceNameOfHost, toFqdn } from '../hosts.ts'
import {
  ReferencedResourceNotFound,
  text,
  VirtualServiceHostNotFoundInGateway,
} from '../messages.ts'
import type { ClusterInput, LocatedResource } from '../types.ts'

interface RouteDestination {
  readonly destination: Destination
  /** Where Istio points: the destination's host field. */
  readonly field: string
}

function routeDestinations(vs: VirtualService): RouteDestination[] {
  const out: RouteDestination[] = []
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    vs.spec[kind]?.forEach((rule, i) => {
      rule.route?.forEach((r, j) => {
        out.push({
          destination: r.destination,
          field: `spec.${kind}[${i}].route[${j}].destination.host`,
        })
      })
    })
  }
  return out
}

/** `namespace/name+subset` of every subset the cluster's DestinationRules define. */
function definedSubsets(cluster: ClusterInput): Set<string> {
  const out = new Set<string>()
  for (const { resource: r } of cluster.resources) {
    if (r.kind !== 'DestinationRule') continue
    const ns = r.metadata.namespace
    const host = resourceNameOfHost(ns, toFqdn(ns, r.spec.host))
    for (const s of r.spec.subsets ?? []) out.add(`${host}+${s.name}`)
  }
  return out
}

/** A Gateway server's hosts as the VirtualService's namespace sees them (`ns/host` forms resolved). */
function gatewayHosts(gw: Gateway, vsNamespace: string): string[] {
  const gwNs = gw.metadata.namespace
  const hosts = gw.spec.servers.flatMap((server) => {
    if (server.hosts.includes('*/*')) return ['*']
    return server.hosts.map((h) => {
      const [ns, name] = h.split('/')
      if (name === undefined) return h
      return ns === '.' ? `${gwNs}/${name}` : ns === '*' ? name : h
    })
  })
  return hosts.flatMap((h) => {
    if (!h.includes('/')) return [h]
    const [ns = '', name = ''] = h.split('/')
    return ns === vsNamespace || ns === '*' ? [name] : []
  })
}

export function analyzeVirtualServices(cluster: ClusterInput, catalog: Catalog): Finding[] {
  const out: Finding[] = []
  const subsets = definedSubsets(cluster)
  const gateways = new Map<string, Gateway>()
  for (const { resource: r } of cluster.resources)
    if (r.kind === 'Gateway') gateways.set(`${r.metadata.namespace}/${r.metadata.name}`, r)
  const report = (located: LocatedResource, message: string, field?: string) =>
    out.push(findingOn(ReferencedResourceNotFound, located, cluster.name, message, field))

  for (const located of cluster.resources) {
    const vs = located.resource
    if (vs.kind !== 'VirtualService') continue
    const ns = vs.metadata.namespace
    for (const { destination: d, field } of routeDestinations(vs)) {
      const known = catalog.lookup(ns, vs.spec.exportTo, d.host)
      if (known === undefined)
        report(located, text.referencedResourceNotFound('host', d.host), field)
      else if (d.port && !known.ports.has(d.port.number))
        report(
          located,
          text.referencedResourceNotFound('host:port', `${d.host}:${d.port.number}`),
          field,
        )
      if (d.subset && !subsets.has(`${resourceNameOfHost(ns, d.host)}+${d.subset}`))
        report(
          located,
          text.referencedResourceNotFound(
            'host+subset in destinationrule',
            `${d.host}+${d.subset}`,
          ),
          field,
        )
    }
    vs.spec.gateways?.forEach((name, i) => {
      if (name === 'mesh') return
      const full = name.includes('/') ? name : `${ns}/${name}`
      const gw = gateways.get(full)
      const field = `spec.gateways[${i}]`
      if (gw === undefined) report(located, text.referencedResourceNotFound('gateway', name), field)
      const served = gw ? gatewayHosts(gw, ns) : []
      if (!served.some((g) => vs.spec.hosts.some((h) => hostsOverlap(g, h))))
        out.push(
          findingOn(
            VirtualServiceHostNotFoundInGateway,
            located,
            cluster.name,
            text.virtualServiceHostNotFoundInGateway(
              vs.spec.hosts,
              `${ns}/${vs.metadata.name}`,
              full,
            ),
            field,
          ),
        )
    })
  }
  return out
}
