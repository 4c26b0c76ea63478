// One pod thread: runs a pod's app and its proxy (a sidecar, or an east-west gateway) as the pod
// would run them, and hears from the mesh only through messages (pod-protocol.ts). It runs in a
// Worker, or on the main thread over a MessageChannel; the fabric's shared memory is its view of
// the network. A thread may host several pods when a mesh has more pods than threads.

import { threadId } from 'node:worker_threads'
import { startSampleApp } from '../apps/index.ts'
import type { AccessRecord } from '../proxy/index.ts'
import { AdsClient, seededRandom } from '../proxy/index.ts'
import { Sidecar } from '../sidecar/index.ts'
import { createEastWestGateway } from '../sni-gateway/index.ts'
import type {
  ConfigSource,
  DiscoveryTarget,
  NameTable,
  ProxyConfig,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import { resolveName, searchPath } from '../xds/index.ts'
import { Fabric } from './fabric.ts'
import type {
  FromThread,
  GatewayInit,
  PodThreadInit,
  Request,
  SidecarInit,
  Started,
  ToThread,
} from './pod-protocol.ts'

/** Records wait at most this long, or until this many are waiting, before they are sent. */
const RECORD_FLUSH_MS = 25
const RECORD_BATCH = 64

/** Either end of the link: a Worker's parentPort, or a MessagePort. */
export interface ThreadPort {
  postMessage(message: FromThread): void
  on(event: 'message', listener: (message: ToThread) => void): unknown
}

interface Hosted {
  stats(): Readonly<Record<string, number>>
  ejected?(): string[]
  close(): Promise<void>
}

/** Where one proxy's pushes land: the latest config until the proxy watches, then its callback. */
interface Feed {
  latest?: ProxyConfig
  onConfig?: (config: ProxyConfig) => void
}

export function servePods(port: ThreadPort, init: PodThreadInit): void {
  const fabric = new Fabric(init.fabric)
  const pods = new Map<number, Hosted>()
  const feeds = new Map<number, Feed>()
  /** Discovery clients of network-fed proxies, by pod. */
  const clients = new Map<number, AdsClient>()
  /** How each sidecar pod takes a new DNS view, by pod. */
  const nameViews = new Map<number, (names: NameTable) => void>()
  let batch: AccessRecord[] = []
  let timer: NodeJS.Timeout | undefined

  // Records leave in batches, as Envoy flushes its access logs: every message wakes the mesh's
  // thread, and one wake-up per request would cost more than the request itself. Small batches
  // leave young, before the garbage collector has to move them to the old generation.
  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (batch.length === 0) return
    const records = batch
    batch = []
    port.postMessage({ op: 'records', records })
  }
  const onAccess = (record: AccessRecord) => {
    if (batch.push(record) >= RECORD_BATCH) flush()
    else timer ??= setTimeout(flush, RECORD_FLUSH_MS)
  }

  const feedOf = (id: number): Feed => {
    let feed = feeds.get(id)
    if (feed === undefined) {
      feed = {}
      feeds.set(id, feed)
    }
    return feed
  }

  /** The proxy's control plane as it sees it: pushes from the mesh, ACKs back to it. */
  const sourceFor = (id: number): ConfigSource => ({
    watch: (_node, onConfig) => {
      const feed = feedOf(id)
      feed.onConfig = onConfig
      if (feed.latest) onConfig(feed.latest)
      return {
        ack: (version) => port.postMessage({ op: 'ack', id, version }),
        close: () => {
          feed.onConfig = undefined
        },
      }
    },
  })

  /**
   * A proxy's istiod over the network: pushes arrive on its discovery stream, and the mesh hears
   * what the proxy applied and how the stream is doing. `contact` settles once the first attempt
   * ended: with a config applied, or with the stream down (the pod starts either way).
   */
  const networkSource = (
    id: number,
    node: ProxyNode,
    target: DiscoveryTarget,
    secret: WorkloadSecret,
    connectTimeoutMs: number,
  ): { source: ConfigSource; contact: Promise<void> } => {
    let contacted: () => void = () => undefined
    const contact = new Promise<void>((resolve) => {
      contacted = resolve
    })
    const client = new AdsClient({
      network: fabric.podNetwork(node.ip, node.network),
      target,
      secret,
      connectTimeoutMs,
      onStatus: (status) => {
        port.postMessage({ op: 'discovery', id, status })
        if (status.state === 'disconnected') contacted()
      },
    })
    clients.set(id, client)
    const source: ConfigSource = {
      watch: (n, onConfig) => {
        const pending = new Map<number, ProxyConfig>()
        const watch = client.watch(n, (config) => {
          pending.set(config.version, config)
          onConfig(config)
        })
        return {
          ack: (version) => {
            watch.ack(version)
            const config = pending.get(version)
            pending.clear()
            if (config) port.postMessage({ op: 'applied', id, config })
            contacted()
          },
          close: () => watch.close(),
        }
      },
    }
    return { source, contact }
  }

  async function startSidecarPod(id: number, s: SidecarInit): Promise<Started> {
    const app = s.app
      ? await startSampleApp(s.app.sample, {
          instance: s.app.instance,
          ...(s.app.version ? { version: s.app.version } : {}),
        })
      : undefined
    const search = s.search ?? searchPath(s.node.namespace)
    // The pod's resolver cache: names are looked up per request, the table changes only with a
    // new pod or a new view of the `.global` names (nscd-like, and bounded).
    const resolved = new Map<string, string | undefined>()
    let names = s.names
    nameViews.set(id, (next) => {
      names = next
      resolved.clear()
    })
    const resolve = (host: string) => {
      if (resolved.has(host)) return resolved.get(host)
      const ip = resolveName(names, host, search)?.addresses[0]
      if (resolved.size < 4096) resolved.set(host, ip)
      return ip
    }
    const sidecar = new Sidecar({
      node: s.node,
      network: fabric.podNetwork(s.node.ip, s.node.network),
      secret: s.secret,
      appPorts: new Map(app ? (s.app?.targetPorts ?? []).map((p) => [p, app.port]) : []),
      resolve,
      onAccess,
      random: seededRandom(s.seed),
      connectTimeoutMs: s.connectTimeoutMs,
      ...(s.handshakeTimeoutMs ? { handshakeTimeoutMs: s.handshakeTimeoutMs } : {}),
    })
    pods.set(id, {
      stats: () => sidecar.stats,
      ejected: () => sidecar.ejectedHosts(),
      close: async () => {
        await sidecar.close()
        await app?.close()
      },
    })
    const remote = s.discovery
      ? networkSource(id, s.node, s.discovery, s.secret, s.connectTimeoutMs)
      : undefined
    await sidecar.start(remote?.source ?? sourceFor(id))
    await remote?.contact
    return {
      threadId,
      ...(sidecar.capturePort === undefined ? {} : { capturePort: sidecar.capturePort }),
      ...(app ? { appPort: app.port } : {}),
    }
  }

  async function startGatewayPod(id: number, g: GatewayInit): Promise<Started> {
    const gateway = createEastWestGateway({
      node: g.node,
      network: fabric.podNetwork(g.node.ip, g.node.network),
      publicAddresses: g.publicAddresses,
      port: g.port,
      onAccess,
      random: seededRandom(g.seed),
    })
    await gateway.start()
    const remote =
      g.discovery && g.secret
        ? networkSource(id, g.node, g.discovery, g.secret, g.connectTimeoutMs ?? 10_000)
        : undefined
    // Pushes apply in order; each is acknowledged once its listeners are bound.
    let applying = Promise.resolve()
    const watch = (remote?.source ?? sourceFor(id)).watch(g.node, (config) => {
      applying = applying.then(() => gateway.apply(config)).then(() => watch.ack(config.version))
    })
    pods.set(id, {
      stats: () => gateway.stats(),
      close: async () => {
        watch.close()
        await gateway.close()
      },
    })
    await remote?.contact
    return { threadId }
  }

  async function handle(r: Request): Promise<unknown> {
    switch (r.op) {
      case 'start':
        return r.init.kind === 'sidecar'
          ? startSidecarPod(r.id, r.init)
          : startGatewayPod(r.id, r.init)
      case 'stats':
        return { ...pods.get(r.id)?.stats() }
      case 'ejected':
        return pods.get(r.id)?.ejected?.() ?? []
      case 'flush':
        flush()
        return undefined
      case 'close': {
        feeds.delete(r.id)
        clients.delete(r.id)
        nameViews.delete(r.id)
        const pod = pods.get(r.id)
        pods.delete(r.id)
        await pod?.close()
        // Records of connections the close ended go out before the mesh hears it is done.
        flush()
        if (pods.size === 0) fabric.close()
        return undefined
      }
    }
  }

  port.on('message', (m) => {
    if (m.op === 'discovery-target') {
      clients.get(m.id)?.retarget(m.target)
      return
    }
    if (m.op === 'names') {
      nameViews.get(m.id)?.(m.names)
      return
    }
    if (m.op === 'config') {
      const feed = feedOf(m.id)
      feed.latest = m.config
      try {
        feed.onConfig?.(m.config)
      } catch {
        // A proxy that cannot apply a push NACKs by not acknowledging; it keeps its old config.
      }
      return
    }
    handle(m).then(
      (value) => port.postMessage({ op: 'reply', req: m.req, value }),
      (err: unknown) =>
        port.postMessage({
          op: 'reply',
          req: m.req,
          error: (err as Error)?.message ?? String(err),
        }),
    )
  })
}
