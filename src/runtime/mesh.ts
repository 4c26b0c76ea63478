// Mesh: builds a topology into running parts, like Mininet's buildFromTopo. PKI first, then per
// cluster its DNS and (on primaries) a control plane whose registry learns its own cluster and
// the clusters it holds remote secrets for; then apps, sidecars and east-west gateways, each
// bound through the fabric. Mesh only wires and owns the lifecycle; queries go to its parts.

import { startSampleApp } from '../apps/index.ts'
import { createMeshPki, type MeshPki } from '../ca/index.ts'
import {
  ControlPlane,
  type EndpointRecord,
  Registry,
  type ServiceRecord,
} from '../control-plane/index.ts'
import { type DnsServer, startDnsServer } from '../dns/index.ts'
import type { Cluster, ClusterId, MeshSpec, NetworkId, Workload } from '../model/index.ts'
import { matchesPodRef } from '../model/index.ts'
import type { Random } from '../proxy/index.ts'
import { seededRandom } from '../proxy/index.ts'
import { Sidecar } from '../sidecar/index.ts'
import { createEastWestGateway, type EastWestGateway } from '../sni-gateway/index.ts'
import type { NameTable, ProxyNode } from '../xds/index.ts'
import { proxyNodeId, resolveName, searchPath } from '../xds/index.ts'
import { Closer } from './closer.ts'
import { Fabric } from './fabric.ts'
import { buildInventory, type ClusterInventory, type Pod } from './inventory.ts'
import { RecordStream } from './records.ts'

export interface MeshOptions {
  /** meshConfig.connectTimeout (Istio: 10 s). Tests shorten it to see unroutable dials fail fast. */
  readonly connectTimeoutMs?: number
  /** How long a sidecar waits for a client to finish its TLS handshake (10 s; not Node's 120 s). */
  readonly handshakeTimeoutMs?: number
  /** Seed for load balancing, so runs can be replayed. */
  readonly seed?: number
  /** Start clusters without their east-west gateway (to show what breaks). */
  readonly withoutGateways?: readonly ClusterId[]
  /** Drop remote secrets: `[holder, remote]` pairs (cluster1 no longer discovers cluster2). */
  readonly withoutRemoteSecrets?: readonly (readonly [ClusterId, ClusterId])[]
}

export interface RunningPod extends Pod {
  readonly sidecar?: Sidecar
  readonly appPort?: number
}

export interface RunningGateway {
  readonly cluster: ClusterId
  readonly network: NetworkId
  readonly address: string
  readonly port: number
  readonly pod: Pod
  readonly proxy: EastWestGateway
}

export interface RunningCluster {
  readonly spec: Cluster
  readonly inventory: ClusterInventory
  readonly dns: DnsServer
  readonly names: NameTable
  readonly controlPlane?: ControlPlane
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
  readonly #closer: Closer

  constructor(parts: {
    spec: MeshSpec
    pki: MeshPki
    fabric: Fabric
    records: RecordStream
    clusters: Map<ClusterId, RunningCluster>
    pods: RunningPod[]
    gateways: RunningGateway[]
    closer: Closer
  }) {
    this.spec = parts.spec
    this.pki = parts.pki
    this.fabric = parts.fabric
    this.records = parts.records
    this.clusters = parts.clusters
    this.pods = parts.pods
    this.gateways = parts.gateways
    this.#closer = parts.closer
  }

  /** Finds a pod by `cluster/namespace/app-or-name` (the first replica for an app). */
  pod(ref: string): RunningPod | undefined {
    return this.pods.find((p) => matchesPodRef(p, ref))
  }

  /** Resolves once every control plane has pushed its latest config and every proxy applied it. */
  async settled(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.controlPlane?.settled()))
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

function nameTable(inv: ClusterInventory): NameTable {
  return { records: new Map(inv.services.map((s) => [s.host, [s.clusterIP]])) }
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

async function build(spec: MeshSpec, opts: MeshOptions, closer: Closer): Promise<Mesh> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000
  const random: Random = seededRandom(opts.seed ?? 1)
  const pki = createMeshPki(spec.ca, spec.clusters)
  const fabric = new Fabric()
  closer.defer(() => fabric.close())
  const records = new RecordStream()
  const inventories = new Map(buildInventory(spec).map((i) => [i.cluster, i]))
  const specs = new Map(spec.clusters.map((c) => [c.name, c]))
  const noGateway = new Set(opts.withoutGateways ?? [])

  // DNS and control planes.
  const clusters = new Map<ClusterId, RunningCluster>()
  for (const c of spec.clusters) {
    const inventory = inventories.get(c.name) as ClusterInventory
    const names = nameTable(inventory)
    const dns = await startDnsServer({ table: names })
    closer.defer(() => dns.close())
    let controlPlane: ControlPlane | undefined
    if (c.controlPlane.mode === 'primary') {
      const registry = new Registry()
      controlPlane = new ControlPlane({
        cluster: c.name,
        registry,
        settings: { trustDomain: spec.trustDomain, connectTimeoutMs },
      })
      const cp = controlPlane
      closer.defer(() => cp.stop())
      for (const watched of watchedClusters(c, opts)) {
        const wc = specs.get(watched)
        const inv = inventories.get(watched)
        if (!wc || !inv) continue
        fillRegistry(registry, wc, inv)
        if (wc.eastWestGateway && !noGateway.has(wc.name)) {
          registry.upsertGateway({
            network: wc.network,
            cluster: wc.name,
            address: wc.eastWestGateway.address,
            port: wc.eastWestGateway.port,
          })
        }
      }
    }
    clusters.set(c.name, {
      spec: c,
      inventory,
      dns,
      names,
      ...(controlPlane ? { controlPlane } : {}),
    })
  }
  const sourceFor = (c: Cluster): ControlPlane | undefined =>
    c.controlPlane.mode === 'primary'
      ? clusters.get(c.name)?.controlPlane
      : clusters.get(c.controlPlane.primary)?.controlPlane

  // Apps and sidecars.
  const pods: RunningPod[] = []
  const gateways: RunningGateway[] = []
  for (const c of spec.clusters) {
    const running = clusters.get(c.name) as RunningCluster
    const source = sourceFor(c)
    const ca = pki.clusters.get(c.name)
    // createMeshPki makes one authority per cluster of the spec.
    if (!ca) throw new Error(`no certificate authority for ${c.name}`)
    for (const pod of running.inventory.pods) {
      const w = workloadOf(c, pod)
      if (!w) {
        pods.push(pod)
        continue
      }
      const app = await startSampleApp(w.sample, {
        instance: pod.name,
        ...(w.version ? { version: w.version } : {}),
      })
      if (app) closer.defer(() => app.close())
      const appPorts = new Map(app ? w.ports.map((p) => [p.targetPort, app.port]) : [])
      const sidecar = new Sidecar({
        node: nodeFor('sidecar', pod),
        network: fabric.podNetwork(pod.ip, pod.network),
        secret: ca.issueWorkload({
          identity: {
            trustDomain: spec.trustDomain,
            namespace: pod.namespace,
            serviceAccount: pod.serviceAccount,
          },
        }),
        appPorts,
        resolve: (host) =>
          resolveName(running.names, host, searchPath(pod.namespace))?.addresses[0],
        onAccess: records.publish,
        random,
        connectTimeoutMs,
        ...(opts.handshakeTimeoutMs ? { handshakeTimeoutMs: opts.handshakeTimeoutMs } : {}),
      })
      closer.defer(() => sidecar.close())
      if (source) await sidecar.start(source)
      pods.push({ ...pod, sidecar, ...(app ? { appPort: app.port } : {}) })
    }
    const gwPod = running.inventory.pods.find((p) => p.app === 'istio-eastwestgateway')
    if (c.eastWestGateway && gwPod && !noGateway.has(c.name)) {
      const node = { ...nodeFor('router', gwPod), requestedNetworkView: [c.network] }
      const proxy = createEastWestGateway({
        node,
        network: fabric.podNetwork(gwPod.ip, c.network),
        publicAddresses: [c.eastWestGateway.address],
        port: c.eastWestGateway.port,
        onAccess: records.publish,
        random,
      })
      await proxy.start()
      closer.defer(() => proxy.close())
      if (source) {
        const watch = source.watch(node, (config) => {
          proxy.apply(config)
          watch.ack(config.version)
        })
        closer.defer(() => watch.close())
      }
      gateways.push({
        cluster: c.name,
        network: c.network,
        address: c.eastWestGateway.address,
        port: c.eastWestGateway.port,
        pod: gwPod,
        proxy,
      })
    }
  }
  const mesh = new Mesh({ spec, pki, fabric, records, clusters, pods, gateways, closer })
  for (const c of clusters.values()) c.controlPlane?.flush()
  await mesh.settled()
  return mesh
}

function nodeFor(type: ProxyNode['type'], pod: Pod): ProxyNode {
  return {
    id: proxyNodeId(type, pod.ip, pod.name, pod.namespace),
    type,
    cluster: pod.cluster,
    network: pod.network,
    namespace: pod.namespace,
    pod: pod.name,
    ip: pod.ip,
    serviceAccount: pod.serviceAccount,
    labels: { app: pod.app, ...(pod.version ? { version: pod.version } : {}) },
  }
}

function fillRegistry(registry: Registry, c: Cluster, inv: ClusterInventory): void {
  for (const s of inv.services) {
    const rec: ServiceRecord = {
      cluster: c.name,
      namespace: s.namespace,
      name: s.name,
      host: s.host,
      clusterIP: s.clusterIP,
      ports: s.ports,
    }
    registry.upsertService(rec)
  }
  for (const pod of inv.pods) {
    const svc = inv.services.find((s) => s.namespace === pod.namespace && s.name === pod.app)
    if (!svc) continue
    const locality = c.locality
      ? [c.locality.region, c.locality.zone ?? '', c.locality.subzone ?? '']
          .join('/')
          .replace(/\/+$/, '')
      : ''
    const ep: EndpointRecord = {
      host: svc.host,
      cluster: c.name,
      network: c.network,
      pod: pod.name,
      namespace: pod.namespace,
      ip: pod.ip,
      serviceAccount: pod.serviceAccount,
      labels: { app: pod.app, ...(pod.version ? { version: pod.version } : {}) },
      locality,
      // Workload pods are injected; istiod and the gateway run their own proxies (still mTLS-capable).
      tlsMode: 'istio',
    }
    registry.upsertEndpoint(ep)
  }
}
