// One sidecar: applies pushed configs (diffing inbound listeners by name), owns the capture port,
// the inbound listeners and the upstream pools, and tears them down in reverse order.

import type { AccessSink, HostHealth, PodNetwork, Random } from '../proxy/index.ts'
import { seededRandom } from '../proxy/index.ts'
import type {
  ConfigSource,
  ConfigWatch,
  ProxyConfig,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import { type CaptureServer, type PodResolver, startCapture } from './capture.ts'
import { count, type SidecarContext } from './context.ts'
import { type InboundServer, startInbound } from './inbound.ts'
import { metadataExchange } from './peer-metadata.ts'
import { Routing } from './routing.ts'
import { Upstreams } from './upstreams.ts'

export interface SidecarOptions {
  readonly node: ProxyNode
  readonly network: PodNetwork
  readonly secret: WorkloadSecret
  /** Real loopback ports of the app's container ports (targetPort -> port). */
  readonly appPorts: ReadonlyMap<number, number>
  readonly resolve: PodResolver
  readonly onAccess: AccessSink
  readonly random?: Random
  readonly connectTimeoutMs?: number
  /** Inbound: how long a client may take to finish its TLS handshake. */
  readonly handshakeTimeoutMs?: number
}

export class Sidecar {
  readonly node: ProxyNode
  readonly #stats = new Map<string, number>()
  readonly #opts: SidecarOptions
  readonly #ctx: SidecarContext
  readonly #inbound = new Map<string, InboundServer>()
  /** Outlier state per cluster, carried from one config to the next. */
  readonly #health = new Map<string, Map<string, HostHealth>>()
  #routing: Routing | undefined
  #capture: CaptureServer | undefined
  #watch: ConfigWatch | undefined
  #applying: Promise<void> = Promise.resolve()
  #closed = false

  constructor(opts: SidecarOptions) {
    this.node = opts.node
    this.#opts = opts
    const secret = opts.secret
    this.#ctx = {
      node: opts.node,
      network: opts.network,
      onAccess: opts.onAccess,
      random: opts.random ?? seededRandom(0),
      upstreams: new Upstreams(opts.network, () => secret),
      secret: () => secret,
      stats: this.#stats,
      routing: () => this.#routing,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
      mx: metadataExchange(opts.node, secret.spiffeId),
    }
  }

  /** Counters under Envoy's names, as /stats shows them. */
  get stats(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#stats)
  }

  /** Hosts outlier detection has ejected now, as `cluster|address:port` (Envoy's FAILED check). */
  ejectedHosts(now = Date.now()): string[] {
    const out: string[] = []
    for (const [cluster, hosts] of this.#health) {
      for (const [host, h] of hosts) if (h.ejectedUntil > now) out.push(`${cluster}|${host}`)
    }
    return out
  }

  /** The loopback port of the outbound capture (http_proxy / ALL_PROXY). */
  get capturePort(): number | undefined {
    return this.#capture?.port
  }

  get config(): ProxyConfig | undefined {
    return this.#routing?.config
  }

  async start(source: ConfigSource): Promise<void> {
    this.#capture = await startCapture(this.#ctx, this.#opts.resolve)
    this.#watch = source.watch(this.node, (config) => {
      this.#applying = this.#applying.then(() => this.apply(config)).catch(() => undefined)
    })
    await this.#applying
  }

  /** Applies a full config: swaps routing in one step, then adds and removes inbound listeners. */
  async apply(config: ProxyConfig): Promise<void> {
    if (this.#closed) return
    const routing = new Routing(config, this.#ctx.random, this.#health)
    this.#routing = routing
    // Envoy would refuse such a config; here those routes never match, and the stat says why.
    if (routing.invalidRegexes.length > 0) {
      count(this.#ctx, 'route_regex_invalid', routing.invalidRegexes.length)
    }
    const wanted = new Map(routing.inbound.map((l) => [l.name, l]))
    for (const [name, server] of this.#inbound) {
      if (!wanted.has(name)) {
        this.#inbound.delete(name)
        await server.close()
      }
    }
    for (const [name, l] of wanted) {
      if (this.#inbound.has(name)) continue
      this.#inbound.set(name, await startInbound(this.#ctx, l, this.#opts.appPorts.get(l.port)))
    }
    const keep = routing.endpointKeys()
    this.#ctx.upstreams.retain((k) => keep.has(k))
    this.#watch?.ack(config.version)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#watch?.close()
    await this.#applying
    await this.#capture?.close()
    await Promise.all([...this.#inbound.values()].map((s) => s.close()))
    this.#inbound.clear()
    this.#ctx.upstreams.close()
  }
}
