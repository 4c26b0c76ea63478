// RDS from VirtualServices (istio pilot/pkg/networking/core/route): the first VirtualService
// that binds to sidecars (`gateways` absent or listing `mesh`) and names a service becomes that
// virtual host's routes, one Envoy route per match; without one, Istio's catch-all `default`.
// `sourceLabels` and `port` conditions are settled here, per proxy and per listener port.

import type {
  Destination,
  HttpMatchRequest,
  HttpRoute,
  Namespace,
  StringMatch,
  VirtualService,
} from '../../model/index.ts'
import { clusterName, hostMatches, qualifyHost, serviceHost } from '../../model/index.ts'
import type {
  HeaderMatcher,
  ProxyNode,
  Route,
  RouteAction,
  RouteMatch,
  StringMatcher,
} from '../../xds/index.ts'
import type { MeshService, MeshSnapshot } from '../snapshot.ts'

const MESH_GATEWAY = 'mesh'

/** Whether a VirtualService configures sidecars (rather than only named Gateways). */
export function bindsToMesh(vs: VirtualService): boolean {
  const gws = vs.spec.gateways
  return gws === undefined || gws.length === 0 || gws.includes(MESH_GATEWAY)
}

/** The VirtualService that routes `host` for sidecars: the oldest one naming it. */
export function virtualServiceFor(snap: MeshSnapshot, host: string): VirtualService | undefined {
  return snap.config.virtualServices.find(
    (vs) =>
      bindsToMesh(vs) &&
      vs.spec.hosts.some((h) => hostMatches(qualifyHost(h, vs.metadata.namespace), host)),
  )
}

const toMatcher = (m: StringMatch): StringMatcher =>
  'exact' in m ? { exact: m.exact } : 'prefix' in m ? { prefix: m.prefix } : { regex: m.regex }

function headerMatchers(headers: HttpMatchRequest['headers'], invert: boolean): HeaderMatcher[] {
  return Object.entries(headers ?? {}).map(([name, m]) => {
    const match =
      'exact' in m || 'prefix' in m || 'regex' in m ? toMatcher(m as StringMatch) : undefined
    return { name: name.toLowerCase(), ...(match ? { match } : {}), ...(invert ? { invert } : {}) }
  })
}

function routeMatch(m: HttpMatchRequest | undefined): RouteMatch {
  return {
    path: m?.uri ? toMatcher(m.uri) : { prefix: '/' },
    ...(m?.ignoreUriCase ? { ignoreCase: true } : {}),
    headers: [...headerMatchers(m?.headers, false), ...headerMatchers(m?.withoutHeaders, true)],
  }
}

/** Whether a match's proxy-side conditions (source labels, port) hold for this proxy and port. */
function appliesTo(m: HttpMatchRequest, node: ProxyNode, port: number): boolean {
  if (m.port !== undefined && m.port !== port) return false
  for (const [k, v] of Object.entries(m.sourceLabels ?? {})) {
    const own = k === 'topology.istio.io/cluster' ? node.cluster : node.labels[k]
    if (own !== v) return false
  }
  return true
}

/** The Envoy cluster a destination names: its port, or the service's only port, or the listener's. */
function destinationCluster(
  snap: MeshSnapshot,
  d: Destination,
  ns: Namespace,
  listenerPort: number,
): string {
  const host = serviceHost(qualifyHost(d.host, ns))
  const service = snap.services.find((s) => s.host === host)
  const only = service?.ports.length === 1 ? service.ports[0]?.port : undefined
  const port = d.port?.number ?? only ?? listenerPort
  return clusterName({ direction: 'outbound', port, subset: d.subset ?? '', host })
}

function actionOf(
  snap: MeshSnapshot,
  r: HttpRoute,
  ns: Namespace,
  listenerPort: number,
): RouteAction {
  if (r.directResponse) {
    return {
      kind: 'direct',
      status: r.directResponse.status,
      ...(r.directResponse.body ? { body: r.directResponse.body.string } : {}),
    }
  }
  const dests = r.route ?? []
  if (dests.length === 1 && dests[0]) {
    return {
      kind: 'cluster',
      cluster: destinationCluster(snap, dests[0].destination, ns, listenerPort),
    }
  }
  return {
    kind: 'weighted',
    clusters: dests.map((d) => ({
      name: destinationCluster(snap, d.destination, ns, listenerPort),
      weight: d.weight ?? 0,
    })),
  }
}

/** The routes of one service's virtual host on one port, for one proxy. */
export function routesFor(
  node: ProxyNode,
  snap: MeshSnapshot,
  s: MeshService,
  port: number,
): Route[] {
  const vs = virtualServiceFor(snap, s.host)
  if (vs === undefined) {
    return [
      {
        name: 'default',
        match: { path: { prefix: '/' }, headers: [] },
        action: {
          kind: 'cluster',
          cluster: clusterName({ direction: 'outbound', port, subset: '', host: s.host }),
        },
      },
    ]
  }
  const ns = vs.metadata.namespace
  const ref = `${vs.metadata.name}.${ns}`
  const out: Route[] = []
  for (const r of vs.spec.http ?? []) {
    const matches = r.match ?? []
    // A route whose every match is for other proxies or ports does not exist for this one.
    const kept =
      matches.length === 0 ? [undefined] : matches.filter((m) => appliesTo(m, node, port))
    const action = actionOf(snap, r, ns, port)
    for (const m of kept) {
      out.push({ name: r.name ?? '', match: routeMatch(m), action, virtualService: ref })
    }
  }
  return out
}
