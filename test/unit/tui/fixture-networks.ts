// A mesh bigger than the examples, for the map's layout limits: four networks of two clusters
// each (one a remote, one with stale proxies), several services and versions; the traffic of
// sleep pods calling helloworld v1 and v2 in every cluster; and a TuiSource over any view.

import type { TuiSource } from '../../../src/cli/tui/source.ts'
import type { ClusterView, MeshView } from '../../../src/cli/tui/topology.ts'
import type { EdgeStats } from '../../../src/cli/tui/traffic.ts'
import type { AccessRecord } from '../../../src/runtime/index.ts'

const SERVICES: ClusterView['services'] = [
  {
    app: 'helloworld',
    versions: [
      { version: 'v1', pods: 1 },
      { version: 'v2', pods: 2 },
    ],
  },
  { app: 'productpage', versions: [{ version: 'v1', pods: 1 }] },
  {
    app: 'reviews',
    versions: [1, 2, 3].map((v) => ({ version: `v${v}`, pods: 1 })),
  },
  { app: 'sleep', versions: [{ version: '', pods: 1 }] },
]

function cluster(n: number): ClusterView {
  return {
    name: `cluster${n}`,
    controlPlane: n === 2 ? 'remote of cluster1' : 'primary',
    configVersion: 7,
    proxies: n === 5 ? { SYNCED: 5, STALE: 2 } : { SYNCED: 7 },
    gateway: `192.168.${n}.250:15443`,
    services: n % 2 === 0 ? SERVICES.slice(0, 2) : SERVICES,
  }
}

/** `networks` networks of `perNetwork` clusters each. */
export function bigMesh(networks = 4, perNetwork = 2): MeshView {
  return {
    name: 'big',
    networks: Array.from({ length: networks }, (_, i) => ({
      name: `network${i + 1}`,
      clusters: Array.from({ length: perNetwork }, (_, j) => cluster(i * perNetwork + j + 1)),
    })),
  }
}

export const FOUR_NETWORKS = bigMesh()

/** sleep in each of the first `sources` clusters calling helloworld v1 and v2 in every cluster. */
export function bigTraffic(view: MeshView = FOUR_NETWORKS, sources = 2): EdgeStats[] {
  const clusters = view.networks.flatMap((n) => n.clusters.map((c) => c.name))
  return clusters.slice(0, sources).flatMap((from, s) =>
    clusters.flatMap((to, t) =>
      ['v1', 'v2'].map(
        (version, v): EdgeStats => ({
          source: { cluster: from, app: 'sleep', version: '' },
          destination: { cluster: to, app: 'helloworld', version },
          requests: 10 + t + v + s,
          rps: 2 + t / 10,
          errorRate: t === 3 ? 0.25 : 0,
          p50Ms: 4 + t,
          p99Ms: 40 + t * 3,
          mtls: t === 1 ? 0.5 : 1,
          viaGateway: from !== to,
          flags: t === 3 ? { UF: 3, URX: 1 } : {},
        }),
      ),
    ),
  )
}

/** A TuiSource over a fixed view, sending the records a test emits. */
export function viewSource(
  view: MeshView,
  gateways: readonly string[] = [],
): TuiSource & { emit(r: AccessRecord): void } {
  const listeners = new Set<(r: AccessRecord) => void>()
  return {
    name: view.name,
    gateways,
    meshView: () => view,
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    emit: (r) => {
      for (const l of listeners) l(r)
    },
  }
}
