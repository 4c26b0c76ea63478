// Builds a topology into running parts, like Mininet's buildFromTopo: PKI first, then per cluster
// its DNS and (on primaries) a control plane whose registry learns its own cluster and the
// clusters it holds remote secrets for, each istiod's discovery port, then the pods (app and
// sidecar, or a gateway) on pod threads bound through the shared fabric, and the workloads
// applied while the mesh runs. The Mesh it returns owns the lifecycle.

import { createMeshPki } from '../ca/index.ts'
import {
  ConfigStore,
  ControlPlane,
  Registry,
  startDiscoveryServer,
} from '../control-plane/index.ts'
import { startDnsServer } from '../dns/index.ts'
import type { Cluster, ClusterId, MeshSpec, Workload } from '../model/index.ts'
import { istioAtLeast, namespace, serviceAccount, spiffeId } from '../model/index.ts'
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
import {
  Mesh,
  type MeshOptions,
  type RunningCluster,
  type RunningGateway,
  type RunningPod,
} from './mesh.ts'
import type { AppInit, GatewayInit, PodInit, SidecarInit } from './pod-protocol.ts'
import { PodThreads } from './pod-threads.ts'
import { RecordStream } from './records.ts'
import { RemoteClusters } from './remote-clusters.ts'
import { ClusterWorkloads } from './workloads.ts'

type Unseeded = Omit<SidecarInit, 'seed'> | Omit<GatewayInit, 'seed'>

/** Pilot's mTLS xDS port before istiod (Istio 1.1 to 1.4). */
const LEGACY_PILOT_PORT = 15011

/** Beyond this many pods with proxies, pod threads host more than one pod each. */
const MAX_POD_THREADS = 16

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
