// The PKI a topology asks for: its root (generated or loaded) and a CA per cluster, either the
// cluster's own cacerts folder or an intermediate the root signs, issuing with the mesh's
// workload key type and lifetime.

import type { CaSettings, Cluster, ClusterId } from '../model/index.ts'
import { loadCacerts } from './cacerts.ts'
import { type ClusterAuthority, createClusterCa } from './cluster-ca.ts'
import { createRootCa, loadRootCa, type RootAuthority } from './root.ts'

export interface MeshPki {
  readonly root: RootAuthority
  readonly clusters: ReadonlyMap<ClusterId, ClusterAuthority>
}

export function createMeshPki(
  settings: CaSettings,
  clusters: readonly Pick<Cluster, 'name' | 'cacerts'>[],
  opts: { readonly now?: () => Date } = {},
): MeshPki {
  const clock = opts.now ? { now: opts.now } : {}
  const defaults = {
    ...clock,
    workloadTtlMs: settings.workloadCertTTL,
    workloadKeyAlgorithm: settings.workloadKeyAlgorithm,
  }
  const r = settings.root
  const root = r.generate
    ? createRootCa({ ...clock, keyAlgorithm: r.keyAlgorithm })
    : loadRootCa(r.certFile, r.keyFile, clock)
  const authorities = new Map<ClusterId, ClusterAuthority>()
  for (const c of clusters) {
    authorities.set(
      c.name,
      c.cacerts === undefined
        ? createClusterCa(root, c.name, defaults)
        : loadCacerts(c.cacerts, { ...defaults, clusterName: c.name }),
    )
  }
  return { root, clusters: authorities }
}
