// Mesh: builds a topology into running parts, like Mininet's buildFromTopo. PKI first, then per
// cluster its DNS and (on primaries) a control plane whose registry learns its own cluster and
// the clusters it holds remote secrets for; then the pods (app and sidecar, or east-west
// gateway), each on a pod thread and bound through the shared fabric. Mesh only wires and owns
// the lifecycle; queries go to its parts.

import { createMeshPki, type MeshPki } from '../ca/index.ts'
import {
  type ApplyOutcome,
  ConfigStore,
  ControlPlane,
  Registry,
  type ResourceRef,
  startDiscoveryServer,
} from '../control-plane/index.ts'
import { type DnsServer, startDnsServer } from '../dns/index.ts'
import type {
  Cluster,
  ClusterId,
  IstioResource,
  MeshSpec,
  NetworkId,
  Workload,
} from '../model/index.ts'
import { istioAtLeast, matchesPodRef, namespace, serviceAccount, spiffeId } from '../model/index.ts'
import type { ConfigSource, DiscoveryTarget, NameTable, ProxyNode } from '../xds/index.ts'
import { DISCOVERY_PORT, proxyNodeId } from '../xds/index.ts'
import { Closer } from './closer.ts'
import { fillRegistry, localityOf } from './cluster-records.ts'
import { createFabricMemory, Fabric } from './fabric.ts'
import {
  followServiceEntries,
  globalGateways,
  globalInstallFilters,
  globalInstallResources,
  globalStub,
  podDnsView,
  startIstiocoredns,
} from './global-install.ts'
import {
  buildInventory,
  type ClusterInventory,
  CONTROL_PLANE_APPS,
  labelsOf,
  type Pod,
  type Service,
} from './inventory.ts'
import { Istiod } from './istiod.ts'
import type { AppInit, GatewayInit, PodInit, SidecarInit } from './pod-protocol.ts'
import { type PodHandle, PodThreads } from './pod-threads.ts'
import { RecordStream } from './records.ts'
import { RemoteClusters } from './remote-clusters.ts'
import { ClusterWorkloads } from './workloads.ts'

type Unseeded = Omit<SidecarInit, 'seed'> | Omit<GatewayInit, 'seed'>

/** Pilot's mTLS xDS port before istiod (Istio 1.1 to 1.4). */
const LEGACY_PILOT_PORT = 15011

/** Beyond this many pods with proxies, pod threads host more than one pod each. */
const MAX_POD_THREADS = 16

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

function workloadOf(c: Cluster, pod: Pod): Workload | undefined {
  return c.workloads.find(
    (w) => w.namespace === pod.namespace && w.app === pod.app && w.version === pod.version,
  )
}

function nameTable(services: readonly Service[]): NameTable {
  return { records: new Map(services.map((s) => [s.host, [s.clusterIP]])) }
}

/** Which clusters a primary's control plane discovers: itself plus its remote secrets. */
function watchedClusters(c: Cluster, opts: MeshOptions): ClusterId[] {
  const dropped = new Set(
    (opts.withoutRemoteSecrets ?? []).filter(([holder]) => holder === c.name).map(([, r]) => r),
  )
  return [c.name, ...c.remoteSecrets.filter((r) => !dropped.has(r))]
}

export async function startMesh(spec: MeshSpec, opts: MeshOptions = {}): Promise<Mesh> {
  const closer = new Closer()
  try {
    return await build(spec, opts, closer)
  } catch (err) {
    await closer.close()
    throw err
  }
}

/** Waits for every start; the first failure rejects, after the others have settled. */
async function allStarted(starts: readonly Promise<unknown>[]): Promise<void> {
  for (const r of await Promise.allSettled(starts)) if (r.status === 'rejected') throw r.reason
}

async function build(spec: MeshSpec, opts: MeshOptions, closer: Closer): Promise<Mesh> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000
  const seed = opts.seed ?? 1
  const pki = createMeshPki(spec.ca, spec.clusters)
  const fabricMemory = createFabricMemory(spec.networks.map((n) => n.name))
  const fabric = new Fabric(fabricMemory)
  closer.defer(() => fabric.close())
  const records = new RecordStream()
  const inventories = new Map(buildInventory(spec).map((i) => [i.cluster, i]))
  const specs = new Map(spec.clusters.map((c) => [c.name, c]))
  const noGateway = new Set(opts.withoutGateways ?? [])
  const podCount = [...inventories.values()].reduce(
    (n, inv) => n + inv.pods.filter((p) => !CONTROL_PLANE_APPS.has(p.app)).length,
    0,
  )
  const podThreads = new PodThreads({
    fabric: fabricMemory,
    threads: opts.podThreads ?? Math.min(podCount, MAX_POD_THREADS),
    onRecords: (batch) => {
      for (const r of batch) records.publish(r)
    },
  })
  closer.defer(() => podThreads.close())

  // DNS and control planes.
  const clusters = new Map<ClusterId, RunningCluster>()
  for (const c of spec.clusters) {
    const inventory = inventories.get(c.name) as ClusterInventory
    const names = nameTable(inventory.services)
    const config = new ConfigStore([
      ...globalInstallResources(c, spec.istioVersion),
      ...c.resources,
    ])
    const coredns = c.multiclusterGateways ? await startIstiocoredns(config) : undefined
    if (coredns) closer.defer(() => coredns.close())
    const stubs = coredns ? { stubDomains: [globalStub(coredns)] } : {}
    const dns = await startDnsServer({ table: names, ...stubs })
    closer.defer(() => dns.close())
    let controlPlane: ControlPlane | undefined
    let remotes: RemoteClusters | undefined
    if (c.controlPlane.mode === 'primary') {
      const registry = new Registry()
      controlPlane = new ControlPlane({
        cluster: c.name,
        registry,
        config,
        envoyFilters: globalInstallFilters(c),
        ...(spec.meshConfig ? { meshConfig: spec.meshConfig } : {}),
        ...(spec.meshNetworks ? { meshNetworks: spec.meshNetworks } : {}),
        settings: {
          trustDomain: spec.trustDomain,
          connectTimeoutMs,
          istioVersion: spec.istioVersion,
        },
      })
      const cp = controlPlane
      closer.defer(() => cp.stop())
      remotes = new RemoteClusters({
        self: c,
        registry,
        cluster: (name) => specs.get(name as ClusterId),
        fromTopology: watchedClusters(c, opts).filter((n) => n !== c.name),
        fill: (wc) => {
          const inv = inventories.get(wc.name)
          const applied = clusters.get(wc.name)?.workloads
          if (inv)
            fillRegistry(registry, wc, {
              services: applied?.services ?? inv.services,
              pods: [...inv.pods, ...(applied?.pods ?? [])],
            })
          if (wc.eastWestGateway && !noGateway.has(wc.name)) {
            registry.upsertGateway({
              network: wc.network,
              cluster: wc.name,
              address: wc.eastWestGateway.address,
              port: wc.eastWestGateway.port,
            })
          }
        },
      })
      const rc = remotes
      const follow = () => {
        const resources = config.list()
        rc.sync(resources)
        // The istio ConfigMap, when applied, replaces the topology's meshConfig and meshNetworks.
        const cm = resources.find(
          (r) =>
            r.kind === 'ConfigMap' &&
            r.metadata.namespace === 'istio-system' &&
            r.metadata.name === 'istio',
        )
        const istio = cm?.kind === 'ConfigMap' ? cm : undefined
        const meshConfig = istio?.meshConfig ?? spec.meshConfig ?? {}
        if (JSON.stringify(meshConfig) !== JSON.stringify(cp.meshConfig))
          cp.setMeshConfig(meshConfig)
        const meshNetworks = istio?.meshNetworks ?? spec.meshNetworks
        if (JSON.stringify(meshNetworks) !== JSON.stringify(cp.meshNetworks))
          cp.setMeshNetworks(meshNetworks)
      }
      follow()
      config.onChange(follow)
    }
    clusters.set(c.name, {
      spec: c,
      inventory,
      dns,
      names,
      ...(coredns ? { istiocoredns: coredns } : {}),
      config,
      ...(controlPlane ? { controlPlane } : {}),
      ...(remotes ? { remotes } : {}),
    })
  }
  // Each istiod also listens on its pod IP at 15012 for proxies that reach it over the network
  // (before 1.5 it was pilot, whose mTLS xDS port was 15011).
  const legacyPilot = !istioAtLeast(spec.istioVersion, 5)
  const discoveryPort = legacyPilot ? LEGACY_PILOT_PORT : DISCOVERY_PORT
  const istiods = new Map<ClusterId, Istiod>()
  for (const c of spec.clusters) {
    const cp = clusters.get(c.name)?.controlPlane
    const pod = inventories.get(c.name)?.pods.find((p) => CONTROL_PLANE_APPS.has(p.app))
    const ca = pki.clusters.get(c.name)
    if (!cp || !pod || !ca) continue
    const served = clusters.get(c.name)?.remotes?.watched ?? new Set([c.name])
    const secret = ca.issueWorkload({ identity: istiodIdentity(spec) })
    const istiod = new Istiod({
      pod,
      podCIDR: c.podCIDR,
      fabric,
      serve: (at) =>
        startDiscoveryServer({
          source: cp,
          secret,
          trustDomain: spec.trustDomain,
          accepts: (cluster) => served.has(cluster),
          listen: (raw) => fabric.podNetwork(at.ip, at.network).listen(raw, discoveryPort),
        }),
      taken: () => [...(inventories.get(c.name)?.pods ?? []).map((p) => p.ip), istiod.pod.ip],
      registries: () =>
        [...clusters.values()].flatMap((rc) => (rc.controlPlane ? [rc.controlPlane.registry] : [])),
    })
    await istiod.start()
    closer.defer(() => istiod.close())
    istiods.set(c.name, istiod)
  }
  /** In-process pushes for a primary's own pods; remote clusters' pods use discoveryFor. */
  const sourceFor = (c: Cluster): ControlPlane | undefined =>
    c.controlPlane.mode === 'primary' ? clusters.get(c.name)?.controlPlane : undefined
  /** Where a remote cluster's proxies find istiod: remotePilotAddress, else the primary's gateway. */
  const discoveryFor = (c: Cluster): DiscoveryTarget | undefined => {
    if (c.controlPlane.mode !== 'remote') return undefined
    const primary = specs.get(c.controlPlane.primary)
    const istiod = istiods.get(c.controlPlane.primary)?.pod
    const address =
      c.controlPlane.remotePilotAddress ?? primary?.eastWestGateway?.address ?? istiod?.ip
    if (address === undefined) return undefined
    const id = istiodIdentity(spec)
    return {
      address,
      port: discoveryPort,
      serverName: legacyPilot ? 'istio-pilot.istio-system' : 'istiod.istio-system.svc',
      identity: spiffeId(id),
    }
  }

  /** A pod with a sidecar in front of a sample app, as the injector would make it. */
  const sidecarInit = (c: Cluster, pod: Pod, app: AppInit): Omit<SidecarInit, 'seed'> => {
    const ca = pki.clusters.get(c.name)
    // createMeshPki makes one authority per cluster of the spec.
    if (!ca) throw new Error(`no certificate authority for ${c.name}`)
    const discovery = discoveryFor(c)
    return {
      kind: 'sidecar',
      node: nodeFor('sidecar', pod, c),
      secret: ca.issueWorkload({
        identity: {
          trustDomain: spec.trustDomain,
          namespace: pod.namespace,
          serviceAccount: pod.serviceAccount,
        },
      }),
      app,
      ...podDnsView(clusters.get(c.name) as RunningCluster, pod.namespace),
      connectTimeoutMs,
      ...(opts.handshakeTimeoutMs ? { handshakeTimeoutMs: opts.handshakeTimeoutMs } : {}),
      ...(discovery ? { discovery } : {}),
    }
  }

  // Pods (app and sidecar, or a gateway) on pod threads: the primaries' all at once, then the
  // remotes', whose proxies need the primaries' gateways to reach istiod.
  const pods: RunningPod[] = []
  const gateways: RunningGateway[] = []
  const primaries: (() => Promise<void>)[] = []
  const remotes: (() => Promise<void>)[] = []
  let started = 0
  /** Each pod's proxy draws from its own stream of the mesh's seed, in start order. */
  const startPod = (init: Unseeded, source: ConfigSource | undefined) => {
    const handle = podThreads.start({ ...init, seed: seed + started++ } as PodInit, source)
    return handle.then((h) => {
      closer.defer(() => h.close())
      return h
    })
  }
  for (const c of spec.clusters) {
    const running = clusters.get(c.name) as RunningCluster
    const source = sourceFor(c)
    const discovery = discoveryFor(c)
    const starts = c.controlPlane.mode === 'remote' ? remotes : primaries
    const ca = pki.clusters.get(c.name)
    // createMeshPki makes one authority per cluster of the spec.
    if (!ca) throw new Error(`no certificate authority for ${c.name}`)
    for (const pod of running.inventory.pods) {
      fabric.addHost(pod.ip, pod.network)
      const w = workloadOf(c, pod)
      if (!w) {
        pods.push(pod)
        continue
      }
      const slot = pods.push(pod) - 1
      const init = sidecarInit(c, pod, {
        sample: w.sample,
        instance: pod.name,
        ...(w.version ? { version: w.version } : {}),
        targetPorts: w.ports.map((p) => p.targetPort),
      })
      starts.push(() =>
        startPod(init, source).then((sidecar) => {
          pods[slot] = { ...pod, sidecar }
        }),
      )
    }
    const ew = c.eastWestGateway
    const gwPod = running.inventory.pods.find((p) => p.app === ew?.deployment)
    if (ew && gwPod && !noGateway.has(c.name)) {
      const node = nodeFor('router', gwPod, c)
      const init: Omit<GatewayInit, 'seed'> = {
        kind: 'gateway',
        // gen-eastwest-gateway.sh's labels, which Gateway selectors match.
        node: {
          ...node,
          labels: { ...node.labels, istio: ew.deployment.replace(/^istio-/, '') },
          requestedNetworkView: [c.network],
        },
        publicAddresses: [ew.address],
        port: ew.port,
        ...(discovery
          ? {
              discovery,
              connectTimeoutMs,
              secret: ca.issueWorkload({
                identity: {
                  trustDomain: spec.trustDomain,
                  namespace: gwPod.namespace,
                  serviceAccount: gwPod.serviceAccount,
                },
              }),
            }
          : {}),
      }
      starts.push(() =>
        startPod(init, source).then((proxy) => {
          gateways.push({
            cluster: c.name,
            network: c.network,
            address: ew.address,
            port: ew.port,
            pod: gwPod,
            proxy,
          })
        }),
      )
    }
    // The `.global` install's ingress and egress gateways.
    for (const g of globalGateways(c, running.inventory, (p) => nodeFor('router', p, c))) {
      starts.push(() =>
        startPod(g.init, source).then((proxy) => {
          const { address, port, pod } = g
          gateways.push({ cluster: c.name, network: c.network, address, port, pod, proxy })
        }),
      )
    }
  }
  await allStarted(primaries.map((start) => start()))
  await allStarted(remotes.map((start) => start()))
  for (const c of clusters.values()) {
    if (!c.istiocoredns) continue
    const sidecars = () =>
      pods.flatMap((p) => (p.cluster === c.spec.name && p.sidecar ? [p.sidecar] : []))
    closer.defer(followServiceEntries(c.config, c.istiocoredns, () => c.names, sidecars))
  }
  // Services and Deployments applied in a cluster, at start (inline resources) and later.
  for (const running of clusters.values()) {
    const c = running.spec
    const sidecars = () =>
      pods.flatMap((p) => (p.cluster === c.name && p.sidecar ? [p.sidecar] : []))
    const workloads = new ClusterWorkloads({
      cluster: c,
      inventory: running.inventory,
      registries: () =>
        [...clusters.values()].flatMap((rc) =>
          rc.controlPlane && rc.remotes?.watched.has(c.name) ? [rc.controlPlane.registry] : [],
        ),
      startPod: async (pod, app) => {
        fabric.addHost(pod.ip, pod.network)
        const sidecar = await startPod(sidecarInit(c, pod, app), sourceFor(c))
        pods.push({ ...pod, sidecar })
        return sidecar
      },
      stopPod: async (pod, handle) => {
        const slot = pods.findIndex((p) => p.cluster === c.name && p.name === pod.name)
        if (slot >= 0) pods.splice(slot, 1)
        await handle.close()
        fabric.removeHost(pod.ip)
      },
      podAddresses: () => [
        ...pods.filter((p) => p.cluster === c.name).map((p) => p.ip),
        ...(istiods.get(c.name) ? [istiods.get(c.name)?.pod.ip ?? ''] : []),
      ],
      servicesChanged: (services) => {
        running.names = nameTable(services)
        running.dns.setTable(running.names)
        for (const h of sidecars()) h.setNames(podDnsView(running, h.node.namespace).names)
      },
    })
    running.workloads = workloads
    closer.defer(() => workloads.close())
    running.config.onChange(() => {
      void workloads.sync(() => running.config.list())
    })
    await workloads.sync(() => running.config.list())
  }
  const order = new Map(spec.clusters.map((c, i) => [c.name, i]))
  gateways.sort((a, b) => (order.get(a.cluster) ?? 0) - (order.get(b.cluster) ?? 0))
  const mesh = new Mesh({
    spec,
    istiods,
    pki,
    fabric,
    records,
    clusters,
    pods,
    gateways,
    podThreads,
    closer,
  })
  for (const c of clusters.values()) c.controlPlane?.flush()
  await mesh.settled()
  return mesh
}

/** istiod's workload identity (its service account in istio-system; pilot's before 1.5). */
function istiodIdentity(spec: MeshSpec) {
  return {
    trustDomain: spec.trustDomain,
    namespace: namespace('istio-system'),
    serviceAccount: serviceAccount(
      istioAtLeast(spec.istioVersion, 5) ? 'istiod' : 'istio-pilot-service-account',
    ),
  }
}

function nodeFor(type: ProxyNode['type'], pod: Pod, c: Cluster): ProxyNode {
  return {
    locality: localityOf(c),
    id: proxyNodeId(type, pod.ip, pod.name, pod.namespace),
    type,
    cluster: pod.cluster,
    network: pod.network,
    namespace: pod.namespace,
    pod: pod.name,
    ip: pod.ip,
    serviceAccount: pod.serviceAccount,
    labels: labelsOf(pod),
  }
}
