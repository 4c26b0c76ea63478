// What the TUI reads from the mesh, behind one small interface so the views can be driven by a
// running Mesh (meshSource) or by a test's fixtures.

import type { AccessRecord, Mesh } from '../../runtime/index.ts'
import { gatewayAddresses, type MeshView, meshView } from './topology.ts'

export interface LoadTarget {
  /** `cluster/namespace/pod` the load leaves from. */
  readonly from: string
  /** Its sidecar's capture port on 127.0.0.1. */
  readonly port: number
  readonly url: string
}

export interface TuiSource {
  readonly name: string
  readonly gateways: readonly string[]
  readonly load?: LoadTarget
  meshView(): MeshView
  subscribe(listener: (r: AccessRecord) => void): () => void
}

/** A sleep pod and the service it should call: helloworld in its namespace, or httpbin. */
export function loadTarget(mesh: Mesh): LoadTarget | undefined {
  const sleep = mesh.pods.find((p) => p.app === 'sleep' && p.sidecar)
  const port = sleep?.sidecar?.capturePort
  if (sleep === undefined || port === undefined) return undefined
  const target =
    mesh.pods.find((p) => p.app === 'helloworld' && p.namespace === sleep.namespace) ??
    mesh.pods.find((p) => p.app === 'helloworld')
  const url = target
    ? `http://helloworld.${target.namespace}:5000/hello`
    : `http://httpbin.${sleep.namespace}:8000/headers`
  return {
    from: `${sleep.cluster}/${sleep.namespace}/${sleep.name}`,
    port,
    url,
  }
}

export function meshSource(mesh: Mesh): TuiSource {
  const load = loadTarget(mesh)
  return {
    name: mesh.spec.name,
    gateways: gatewayAddresses(mesh),
    ...(load ? { load } : {}),
    meshView: () => meshView(mesh),
    subscribe: (listener) => mesh.records.subscribe(listener),
  }
}
