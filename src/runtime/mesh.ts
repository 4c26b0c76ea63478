// Mesh: a running topology (build.ts makes one). It owns the lifecycle of its parts, applies
// resources to a cluster's config, restarts control planes and re-points remotes, and reports
// each proxy's sync state; everything else is asked of its parts.

import type { MeshPki } from '../ca/index.ts'
import type {
  ApplyOutcome,
  ConfigStore,
  ControlPlane,
  ResourceRef,
} from '../control-plane/index.ts'
import type { DnsServer } from '../dns/index.ts'
import type { Cluster, ClusterId, IstioResource, MeshSpec, NetworkId } from '../model/index.ts'
import { matchesPodRef } from '../model/index.ts'
import type { NameTable } from '../xds/index.ts'
import type { Closer } from './closer.ts'
import type { Fabric } from './fabric.ts'
import type { ClusterInventory, Pod } from './inventory.ts'
import type { Istiod } from './istiod.ts'
import type { PodHandle, PodThreads } from './pod-threads.ts'
import type { RecordStream } from './records.ts'
import type { RemoteClusters } from './remote-clusters.ts'
import type { ClusterWorkloads } from './workloads.ts'

export interface MeshOptions {
  /** meshConfig.connectTimeout (Istio: 10 s). Tests shorten it to see unroutable dials fail fast. */
  readonly connectTimeoutMs?: number
  /** How long a sidecar waits for a client to finish its TLS handshake (10 s; not Node's 120 s). */
  readonly handshakeTimeoutMs?: number
  /** Seed for load balancing, so runs can be replayed (each proxy draws from its own stream). */
  readonly seed?: number
  /**
   * Threads the pods (app and proxy) run on, as each pod runs in its own processes (default: one
   * per pod with a proxy, up to 16); 0 runs them on the main thread. Either way they hear from
   * the mesh only by message.
   */
  readonly podThreads?: number
  /** Start clusters without their east-west gateway (to show what breaks). */
  readonly withoutGateways?: readonly ClusterId[]
  /** Drop remote secrets: `[holder, remote]` pairs (cluster1 no longer discovers cluster2). */
  readonly withoutRemoteSecrets?: readonly (readonly [ClusterId, ClusterId])[]
}

export interface RunningPod extends Pod {
  /** The pod's sidecar (and through it, its app) on its pod thread. */
  readonly sidecar?: PodHandle
}

export interface RunningGateway {
  readonly cluster: ClusterId
  readonly network: NetworkId
  readonly address: string
  readonly port: number
  readonly pod: Pod
  readonly proxy: PodHandle
}

/** One proxy as `istioctl proxy-status` reports it. */
export interface ProxyStatus {
  readonly cluster: ClusterId
  readonly namespace: string
  readonly pod: string
  readonly type: 'sidecar' | 'router'
  /** The cluster whose istiod configures the proxy. */
  readonly controlPlane: ClusterId
  /**
   * SYNCED: it runs its istiod's latest config. STALE: it runs an older one, or its stream to
   * istiod is down (it keeps serving with what it has). NOT SENT: it has no config at all.
   */
  readonly status: 'SYNCED' | 'STALE' | 'NOT SENT'
  /** The version it runs, and the one its istiod has. */
  readonly version?: number
  readonly latest: number
  /** Why the discovery stream is down, when it is. */
  readonly detail?: string
}

export interface RunningCluster {
  readonly spec: Cluster
  readonly inventory: ClusterInventory
  readonly dns: DnsServer
  /** The cluster DNS's names; replaced when Services are applied or deleted. */
  names: NameTable
  /** Services and Deployments applied while the mesh runs (set once the mesh has started). */
  workloads?: ClusterWorkloads
  /** The `.global` install's istiocoredns, which the cluster DNS stubs `global` to. */
  readonly istiocoredns?: DnsServer
  /** The cluster's Istio resources (its API server); on a primary, what its control plane reads. */
  readonly config: ConfigStore
  readonly controlPlane?: ControlPlane
  /** On a primary: the clusters its istiod watches, from remote secrets. */
  readonly remotes?: RemoteClusters
}

export class Mesh implements AsyncDisposable {
  readonly spec: MeshSpec
  /** The root and per-cluster CAs the workload certificates chain to. */
  readonly pki: MeshPki
  readonly fabric: Fabric
  readonly records: RecordStream
  readonly clusters: ReadonlyMap<ClusterId, RunningCluster>
  readonly pods: readonly RunningPod[]
  readonly gateways: readonly RunningGateway[]
  readonly #podThreads: PodThreads
  readonly #closer: Closer
  readonly #istiods: ReadonlyMap<ClusterId, Istiod>

  constructor(parts: {
    spec: MeshSpec
    istiods: ReadonlyMap<ClusterId, Istiod>
    pki: MeshPki
    fabric: Fabric
    records: RecordStream
    clusters: Map<ClusterId, RunningCluster>
    pods: RunningPod[]
    gateways: RunningGateway[]
    podThreads: PodThreads
    closer: Closer
  }) {
    this.spec = parts.spec
    this.pki = parts.pki
    this.fabric = parts.fabric
    this.records = parts.records
    this.clusters = parts.clusters
    this.pods = parts.pods
    this.gateways = parts.gateways
    this.#podThreads = parts.podThreads
    this.#closer = parts.closer
    this.#istiods = parts.istiods
  }

  /** The istiod pod of a primary cluster (its name and IP change when it restarts). */
  istiod(cluster: ClusterId): Pod | undefined {
    return this.#istiods.get(cluster)?.pod
  }

  /**
   * Restarts a primary's istiod, as `kubectl rollout restart deployment/istiod` does: a new pod
   * with a new IP. Proxies that reach it through a gateway find it again; ones pointed at the old
   * pod IP (the shared-control-plane installs) go stale until re-pointed.
   */
  async restartControlPlane(cluster: ClusterId): Promise<Pod> {
    const istiod = this.#istiods.get(cluster)
    if (istiod === undefined) throw new Error(`${cluster} runs no istiod`)
    const old = istiod.pod
    const next = await istiod.restart()
    const slot = this.pods.findIndex((p) => p.cluster === cluster && p.name === old.name)
    if (slot >= 0) (this.pods as RunningPod[])[slot] = next
    return next
  }

  /**
   * Points a remote cluster's proxies at another istiod address (re-installing the remote with a
   * new `global.remotePilotAddress`); they redial at once.
   */
  setRemotePilotAddress(cluster: ClusterId, address: string): void {
    const c = this.clusters.get(cluster)?.spec
    if (c?.controlPlane.mode !== 'remote') throw new Error(`${cluster} is not a remote cluster`)
    const proxies = [
      ...this.pods
        .filter((p) => p.cluster === cluster)
        .flatMap((p) => (p.sidecar ? [p.sidecar] : [])),
      ...this.gateways.filter((g) => g.cluster === cluster).map((g) => g.proxy),
    ]
    for (const h of proxies) {
      const target = h.discoveryTarget
      if (target) h.retarget({ ...target, address })
    }
  }

  /** Finds a pod by `cluster/namespace/app-or-name` (the first replica for an app). */
  pod(ref: string): RunningPod | undefined {
    return this.pods.find((p) => matchesPodRef(p, ref))
  }

  /**
   * Applies Istio resources in one cluster, as `kubectl apply --context <cluster>`; the
   * cluster's control plane (if it has one) pushes the change to its proxies.
   */
  apply(cluster: ClusterId, resources: readonly IstioResource[]): ApplyOutcome[] {
    const store = this.#store(cluster)
    return resources.map((r) => store.apply(r))
  }

  /** Deletes resources from one cluster; each answer says whether it existed. */
  delete(cluster: ClusterId, refs: readonly ResourceRef[]): boolean[] {
    const store = this.#store(cluster)
    return refs.map((r) => store.delete(r))
  }

  #store(cluster: ClusterId): ConfigStore {
    const c = this.clusters.get(cluster)
    if (c === undefined) throw new Error(`no cluster named ${cluster}`)
    return c.config
  }

  /** Resolves once every control plane has pushed its latest config and every proxy applied it. */
  async settled(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.workloads?.idle()))
    await Promise.all([...this.clusters.values()].map((c) => c.controlPlane?.settled()))
  }

  /** Each proxy's sync state against the istiod that configures it. */
  proxyStatus(): ProxyStatus[] {
    const proxies = [
      ...this.pods.flatMap((p) => (p.sidecar ? [p.sidecar] : [])),
      ...this.gateways.map((g) => g.proxy),
    ]
    return proxies.flatMap((h): ProxyStatus[] => {
      const c = this.clusters.get(h.node.cluster)?.spec
      if (c === undefined) return []
      const controlPlane = c.controlPlane.mode === 'remote' ? c.controlPlane.primary : c.name
      const latest = this.clusters.get(controlPlane)?.controlPlane?.snapshot.version ?? 0
      const version = h.config?.version
      const down = !h.running || (h.discovery !== undefined && h.discovery.state !== 'connected')
      const status =
        version === undefined ? 'NOT SENT' : down || version < latest ? 'STALE' : 'SYNCED'
      const detail = !h.running ? 'the pod thread is gone' : down ? h.discovery?.detail : undefined
      return [
        {
          cluster: h.node.cluster,
          namespace: h.node.namespace,
          pod: h.node.pod,
          type: h.node.type,
          controlPlane,
          status,
          ...(version === undefined ? {} : { version }),
          latest,
          ...(detail ? { detail } : {}),
        },
      ]
    })
  }

  /**
   * Resolves once every access record the proxies wrote so far is in `records` (they arrive from
   * the pod threads in batches, up to 25 ms after the requests they describe).
   */
  flushRecords(): Promise<void> {
    return this.#podThreads.flush()
  }

  close(): Promise<void> {
    return this.#closer.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
