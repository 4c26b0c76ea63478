// Kubernetes workloads applied to a cluster while the mesh runs: Services (ClusterIPs from the
// serviceCIDR, endpoints by selector, DNS names) and Deployments of Istio's sample images (pods
// with sidecars, started and stopped as a ReplicaSet would), kept in step with the cluster's
// config store. Registries of every primary watching the cluster learn the difference.

import type { EndpointRecord, Registry } from '../control-plane/index.ts'
import type { Cluster, Deployment, IstioResource, KubeService, Namespace } from '../model/index.ts'
import { namespace as asNamespace, serviceAccount, serviceHost } from '../model/index.ts'
import { endpointRecords, serviceRecord } from './cluster-records.ts'
import {
  type ClusterInventory,
  freeAddress,
  type Pod,
  replicaSetPodNames,
  type Service,
} from './inventory.ts'
import type { AppInit } from './pod-protocol.ts'
import type { PodHandle } from './pod-threads.ts'

export interface WorkloadDeps {
  readonly cluster: Cluster
  readonly inventory: ClusterInventory
  /** Registries of the primaries that watch this cluster now. */
  registries(): readonly Registry[]
  /** Starts a pod's app and sidecar; the pod is on the fabric once this resolves. */
  startPod(pod: Pod, app: AppInit): Promise<PodHandle>
  /** Stops a pod and takes it off the fabric. */
  stopPod(pod: Pod, handle: PodHandle): Promise<void>
  /** Addresses in use in the cluster's pod network (so new pods get free ones). */
  podAddresses(): Iterable<string>
  /** The cluster's Services changed: its DNS and its pods' name tables follow. */
  servicesChanged(services: readonly Service[]): void
}

interface RunningApplied {
  readonly pod: Pod
  readonly handle: PodHandle
}

const key = (ns: string, name: string) => `${ns}/${name}`
const endpointKey = (e: EndpointRecord) => `${e.host}/${e.pod}`

/** Namespaces that exist in a topology's cluster: its workloads' (injected), default, istio-system. */
function topologyNamespaces(c: Cluster): Map<string, boolean> {
  const out = new Map<string, boolean>([
    ['default', false],
    ['istio-system', false],
  ])
  for (const w of c.workloads) out.set(w.namespace, true)
  return out
}

/**
 * Why applying these resources in cluster `c` (whose store already holds `existing`) must fail:
 * a Service or Deployment in a namespace that does not exist, or a Deployment whose pods would
 * run without a sidecar, which meshsim does not emulate.
 */
export function workloadProblems(
  c: Cluster,
  existing: readonly IstioResource[],
  applying: readonly IstioResource[],
): { resource: IstioResource; message: string }[] {
  const namespaces = topologyNamespaces(c)
  for (const r of [...existing, ...applying])
    if (r.kind === 'Namespace') namespaces.set(r.metadata.name, r.injection)
  const out: { resource: IstioResource; message: string }[] = []
  for (const r of applying) {
    if (r.kind !== 'Service' && r.kind !== 'Deployment' && r.kind !== 'ServiceAccount') continue
    const ns = r.metadata.namespace
    const injected = namespaces.get(ns)
    if (injected === undefined) {
      out.push({
        resource: r,
        message: `namespaces "${ns}" not found; create it first (kind: Namespace)`,
      })
    } else if (r.kind === 'Deployment' && !(r.inject ?? injected)) {
      out.push({
        resource: r,
        message: `its pods would run without a sidecar: namespace ${ns} is not labelled istio-injection=enabled. meshsim runs every pod with a sidecar; label the namespace, or annotate the pod template sidecar.istio.io/inject: "true"`,
      })
    }
  }
  return out
}

export class ClusterWorkloads {
  readonly #deps: WorkloadDeps
  /** Applied pods by name. */
  readonly #pods = new Map<string, RunningApplied>()
  /** ClusterIPs given to applied Services, kept while the Service exists. */
  readonly #ips = new Map<string, string>()
  #services: readonly Service[]
  #endpoints = new Map<string, EndpointRecord>()
  #syncing: Promise<void> = Promise.resolve()
  /** The workload resources the last sync acted on, to skip changes to other kinds. */
  #seen = '[]'

  constructor(deps: WorkloadDeps) {
    this.#deps = deps
    this.#services = deps.inventory.services
    for (const e of this.#endpointsNow()) this.#endpoints.set(endpointKey(e), e)
  }

  /** The cluster's Services now: the topology's, with applied ones added or replacing them. */
  get services(): readonly Service[] {
    return this.#services
  }

  /** Pods of applied Deployments. */
  get pods(): readonly Pod[] {
    return [...this.#pods.values()].map((p) => p.pod)
  }

  /** Follows the cluster's resources; calls are queued, each sees the latest resources. */
  sync(resources: () => readonly IstioResource[]): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#sync(resources())).catch(() => undefined)
    return this.#syncing
  }

  /** Resolves once every queued sync has finished. */
  idle(): Promise<void> {
    return this.#syncing
  }

  async close(): Promise<void> {
    await this.#syncing
    this.#pods.clear()
  }

  async #sync(resources: readonly IstioResource[]): Promise<void> {
    const { cluster: c, inventory } = this.#deps
    const applied = resources.filter((r): r is KubeService => r.kind === 'Service')
    const deployments = resources.filter((r): r is Deployment => r.kind === 'Deployment')
    const seen = JSON.stringify([applied, deployments])
    if (seen === this.#seen) return
    this.#seen = seen

    // Services: the topology's, replaced or joined by applied ones.
    const byKey = new Map(inventory.services.map((s) => [key(s.namespace, s.name), s]))
    const usedIps = new Set(inventory.services.map((s) => s.clusterIP))
    for (const ip of this.#ips.values()) usedIps.add(ip)
    const live = new Set<string>()
    for (const r of applied) {
      const k = key(r.metadata.namespace, r.metadata.name)
      live.add(k)
      const ip =
        r.clusterIP ??
        this.#ips.get(k) ??
        byKey.get(k)?.clusterIP ??
        freeAddress(c.serviceCIDR, usedIps)
      usedIps.add(ip)
      this.#ips.set(k, ip)
      byKey.set(k, {
        cluster: c.name,
        namespace: r.metadata.namespace,
        name: r.metadata.name,
        host: serviceHost(`${r.metadata.name}.${r.metadata.namespace}.svc.cluster.local`),
        clusterIP: ip,
        ports: r.ports,
        selector: r.selector,
      })
    }
    for (const k of [...this.#ips.keys()]) if (!live.has(k)) this.#ips.delete(k)
    const before = this.#services
    this.#services = [...byKey.values()]

    // Pods: one per replica of each Deployment's current template.
    const wanted = new Map<string, { d: Deployment; name: string }>()
    for (const d of deployments) {
      const names = replicaSetPodNames(
        c.name,
        d.metadata.namespace,
        d.metadata.name,
        d.template,
        d.replicas,
      )
      for (const name of names) wanted.set(name, { d, name })
    }
    const starting: Promise<void>[] = []
    const taken = new Set(this.#deps.podAddresses())
    for (const [name, { d }] of wanted) {
      if (this.#pods.has(name)) continue
      const ip = freeAddress(c.podCIDR, taken)
      taken.add(ip)
      const version = d.podLabels.version
      const pod: Pod = {
        cluster: c.name,
        network: c.network,
        namespace: asNamespace(d.metadata.namespace) as Namespace,
        name,
        app: d.podLabels.app ?? d.metadata.name,
        ...(version ? { version } : {}),
        serviceAccount: serviceAccount(d.serviceAccount),
        ip,
        labels: d.podLabels,
      }
      const app: AppInit = {
        sample: d.sample,
        instance: name,
        ...(version ? { version } : {}),
        targetPorts: d.containerPorts.length > 0 ? d.containerPorts : defaultPorts(d.sample),
      }
      starting.push(
        this.#deps.startPod(pod, app).then((handle) => {
          this.#pods.set(name, { pod, handle })
        }),
      )
    }
    await Promise.allSettled(starting)

    // Registries learn the new Services and endpoints before any pod leaves.
    const gone = [...this.#pods.keys()].filter((n) => !wanted.has(n))
    const stopping = gone.map((n) => this.#pods.get(n) as RunningApplied)
    for (const n of gone) this.#pods.delete(n)
    this.#publish(before)
    if (before !== this.#services) this.#deps.servicesChanged(this.#services)
    await Promise.allSettled(stopping.map(({ pod, handle }) => this.#deps.stopPod(pod, handle)))
  }

  /** Every endpoint of the cluster now: topology and applied pods, by the current Services. */
  #endpointsNow(): EndpointRecord[] {
    const { cluster: c, inventory } = this.#deps
    return [...inventory.pods, ...this.pods].flatMap((p) => endpointRecords(c, this.#services, p))
  }

  /** Tells each watching registry what changed since the last sync. */
  #publish(before: readonly Service[]): void {
    const { cluster: c } = this.#deps
    const now = new Map(this.#endpointsNow().map((e) => [endpointKey(e), e]))
    const hosts = new Set(this.#services.map((s) => s.host))
    for (const registry of this.#deps.registries()) {
      for (const s of before) if (!hosts.has(s.host)) registry.removeService(c.name, s.host)
      for (const s of this.#services) registry.upsertService(serviceRecord(c, s))
      for (const [k, e] of this.#endpoints)
        if (!now.has(k)) registry.removeEndpoint(c.name, e.host, e.pod)
      for (const e of now.values()) registry.upsertEndpoint(e)
    }
    this.#endpoints = now
  }
}

/** The container ports of a sample app when its Deployment lists none. */
function defaultPorts(sample: Deployment['sample']): number[] {
  switch (sample) {
    case 'helloworld':
      return [5000]
    case 'httpbin':
      return [8080]
    case 'tcp-echo':
      return [9000, 9001]
    case 'sleep':
      return [80]
  }
}
