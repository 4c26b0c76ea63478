// Helpers for tests of where traffic lands: one mesh shared by the tests of a block, the endpoints
// a sidecar was sent, and the pods (so clusters, networks, versions) that answered requests.

import { afterAll, beforeAll } from 'vitest'
import { loadTopologyFile } from '../../src/config/index.ts'
import type { MeshSpec } from '../../src/model/index.ts'
import { type Mesh, type MeshOptions, type RunningPod, startMesh } from '../../src/runtime/index.ts'
import type { LbEndpoint } from '../../src/xds/index.ts'
import { callFrom } from './mesh.ts'

export const HELLO = 'http://helloworld.sample:5000/hello'
export const HELLO_CLUSTER = 'outbound|5000||helloworld.sample.svc.cluster.local'

export function exampleSpec(name: string): MeshSpec {
  return loadTopologyFile(new URL(`../../examples/${name}`, import.meta.url).pathname)
}

/**
 * Starts one mesh before the tests of the enclosing block and closes it after them (the mesh is
 * immutable under these tests, so they can share it). Call the returned function inside a test.
 */
export function sharedMesh(spec: () => MeshSpec, opts: MeshOptions = {}): () => Mesh {
  let mesh: Mesh | undefined
  beforeAll(async () => {
    mesh = await startMesh(spec(), opts)
  })
  afterAll(() => mesh?.close())
  return () => {
    if (!mesh) throw new Error('the shared mesh did not start')
    return mesh
  }
}

/** The endpoints (EDS) the sidecar of `pod` last applied for the Envoy cluster `clusterName`. */
export function endpointsOf(mesh: Mesh, pod: string, clusterName: string): readonly LbEndpoint[] {
  const config = mesh.pod(pod)?.sidecar?.config
  if (!config) throw new Error(`no applied config for ${pod}`)
  const cla = config.endpoints.find((a) => a.clusterName === clusterName)
  if (!cla) throw new Error(`${pod} has no endpoints for ${clusterName}`)
  return cla.endpoints
}

/**
 * Sends `n` sequential helloworld requests from `from` and returns the pod that answered each
 * (helloworld names itself in `instance: POD`). Any answer other than a helloworld 200 throws.
 */
export async function answerers(
  mesh: Mesh,
  from: string,
  n: number,
  url = HELLO,
): Promise<RunningPod[]> {
  const out: RunningPod[] = []
  for (let i = 0; i < n; i++) {
    const r = await callFrom(mesh, from, url)
    const instance = /instance: (\S+)/.exec(r.body)?.[1]
    const pod = mesh.pods.find((p) => p.name === instance)
    if (r.status !== 200 || !pod) {
      throw new Error(`request ${i + 1} from ${from} answered ${r.status}: ${r.body}`)
    }
    out.push(pod)
  }
  return out
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const k = key(item)
    counts[k] = (counts[k] ?? 0) + 1
  }
  return counts
}

/**
 * The hit range Istio's CheckEqualClusterTraffic allows each of `parts` targets sharing `total`
 * requests: the even share, plus or minus `pct` percent of it (rounded down, as Go's int()).
 */
export function evenShare(total: number, parts: number, pct: number): [number, number] {
  const expected = Math.floor(total / parts)
  const precision = Math.floor((expected * pct) / 100)
  return [expected - precision, expected + precision]
}
