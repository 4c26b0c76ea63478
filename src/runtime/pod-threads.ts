// The mesh's pods on pod threads, as each pod runs in its own processes: an app and its sidecar
// (or an east-west gateway) share a thread, and the mesh reaches them only through messages
// (config pushes and ACKs, record batches, stats). The data plane so spreads over the machine's
// cores, while control planes, DNS and the admin API stay on the main thread.

import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { AccessRecord, DiscoveryStatus } from '../proxy/index.ts'
import type {
  ConfigSource,
  ConfigWatch,
  DiscoveryTarget,
  NameTable,
  ProxyConfig,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import type { FabricMemory } from './fabric.ts'
import type {
  FromThread,
  PodInit,
  PodThreadInit,
  Request,
  Started,
  ToThread,
} from './pod-protocol.ts'
import { servePods } from './pod-thread.ts'

export interface PodThreadsOptions {
  readonly fabric: FabricMemory
  /** Pod threads (Workers), filled in turn; 0 runs every pod on this thread instead. */
  readonly threads: number
  readonly onRecords: (records: readonly AccessRecord[]) => void
}

/**
 * Young generation of a pod thread's heap. With V8's default (sized for the machine), a pod's
 * small old generation is always "close" to its limit compared with the young one, and V8 runs a
 * full mark-compact every ~100 ms that frees almost nothing; capped, pods only scavenge.
 */
const POD_YOUNG_GENERATION_MB = 8

/** Heap limits of a pod thread's Worker (the benchmarks' reference chains use them too). */
export const POD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: POD_YOUNG_GENERATION_MB } as const

/** Pushes remembered while a proxy has not acknowledged them (older ones are dropped). */
const UNACKED_KEPT = 8

type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'req'> : never) : never

/** One pod thread as the mesh sees it: numbered requests, and the ACKs of its proxies. */
class ThreadLink {
  readonly #send: (m: ToThread) => void
  readonly #calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  readonly acks = new Map<number, (version: number) => void>()
  /** What network-fed proxies report: the config they applied, their discovery stream. */
  readonly reports = new Map<number, PodReports>()
  readonly #onRecords: PodThreadsOptions['onRecords']
  readonly #downListeners = new Set<() => void>()
  /** Stops the thread on purpose (its pods closed first). */
  readonly stop: () => Promise<void>
  /** Ends the thread the way a crash would (tests of what survives it). */
  readonly kill: () => Promise<void>
  #next = 0
  #down: Error | undefined

  constructor(parts: {
    send: (m: ToThread) => void
    stop: () => Promise<void>
    kill: () => Promise<void>
    onRecords: PodThreadsOptions['onRecords']
  }) {
    this.#send = parts.send
    this.stop = parts.stop
    this.kill = parts.kill
    this.#onRecords = parts.onRecords
  }

  get down(): boolean {
    return this.#down !== undefined
  }

  /** Called once if the thread dies while the mesh still needs it. */
  onDown(listener: () => void): void {
    this.#downListeners.add(listener)
  }

  post(m: ToThread): void {
    if (this.#down === undefined) this.#send(m)
  }

  call(body: RequestBody): Promise<unknown> {
    if (this.#down) return Promise.reject(this.#down)
    const req = this.#next++
    return new Promise((resolve, reject) => {
      this.#calls.set(req, { resolve, reject })
      this.#send({ ...body, req } as Request)
    })
  }

  receive(m: FromThread): void {
    if (m.op === 'records') this.#onRecords(m.records)
    else if (m.op === 'ack') this.acks.get(m.id)?.(m.version)
    else if (m.op === 'applied') this.reports.get(m.id)?.applied(m.config)
    else if (m.op === 'discovery') this.reports.get(m.id)?.discovery(m.status)
    else {
      const call = this.#calls.get(m.req)
      this.#calls.delete(m.req)
      if ('error' in m) call?.reject(new Error(m.error))
      else call?.resolve(m.value)
    }
  }

  /** The thread is gone: its requests fail, and so will later ones. */
  fail(err: Error): void {
    if (this.#down) return
    this.#down = err
    for (const c of this.#calls.values()) c.reject(err)
    this.#calls.clear()
    for (const l of this.#downListeners) l()
  }
}

/** Reports about one pod's proxy that arrive without being asked for. */
interface PodReports {
  applied(config: ProxyConfig): void
  discovery(status: DiscoveryStatus): void
}

/** A pod on a pod thread: what the mesh, the admin API and tests may ask of its proxy. */
export class PodHandle {
  readonly node: ProxyNode
  /** The certificate and key its proxy was given (SDS `default` and `ROOTCA`), if any. */
  readonly secret: WorkloadSecret | undefined
  #started: Started = { threadId: 0 }
  readonly #link: ThreadLink
  readonly #id: number
  /** Pushes sent and not yet acknowledged, by version. */
  readonly #sent = new Map<number, ProxyConfig>()
  #config: ProxyConfig | undefined
  #discovery: DiscoveryStatus | undefined
  #target: DiscoveryTarget | undefined
  #watch: ConfigWatch | undefined
  #closed: Promise<void> | undefined

  constructor(
    link: ThreadLink,
    id: number,
    node: ProxyNode,
    target?: DiscoveryTarget,
    secret?: WorkloadSecret,
  ) {
    this.#link = link
    this.#id = id
    this.node = node
    this.secret = secret
    this.#target = target
    // Reports can arrive while the pod is still starting.
    link.reports.set(id, {
      applied: (config) => {
        this.#config = config
      },
      discovery: (status) => {
        this.#discovery = status
      },
    })
  }

  /** Fills in what the pod thread answered to `start`. */
  started(s: Started): this {
    this.#started = s
    return this
  }

  /** A sidecar's capture port (http_proxy / ALL_PROXY); gateways have none. */
  get capturePort(): number | undefined {
    return this.#started.capturePort
  }

  /** The loopback port of the pod's app, if it serves anything. */
  get appPort(): number | undefined {
    return this.#started.appPort
  }

  /** The thread the pod runs on (worker_threads' threadId; 0 is the main thread). */
  get threadId(): number {
    return this.#started.threadId
  }

  /**
   * The proxy's discovery stream when it reaches istiod over the network (a remote cluster's
   * proxies); undefined when its pushes come by message from an istiod in its own cluster.
   */
  get discovery(): DiscoveryStatus | undefined {
    return this.#discovery
  }

  /** The config this proxy last acknowledged (what it is running). */
  get config(): ProxyConfig | undefined {
    return this.#config
  }

  /** The proxy's counters, as Envoy's /stats would show them. */
  async stats(): Promise<Readonly<Record<string, number>>> {
    return (await this.#link.call({ op: 'stats', id: this.#id })) as Record<string, number>
  }

  /** Hosts the proxy's outlier detection has ejected now, as `cluster|address:port`. */
  async ejectedHosts(): Promise<string[]> {
    return (await this.#link.call({ op: 'ejected', id: this.#id })) as string[]
  }

  /** False once the pod's thread has died (its sockets went with it). */
  get running(): boolean {
    return !this.#link.down
  }

  /** Where a network-fed proxy finds istiod; undefined for proxies fed by message. */
  get discoveryTarget(): DiscoveryTarget | undefined {
    return this.#target
  }

  /** Points a network-fed proxy at another istiod address; it redials at once. */
  retarget(target: DiscoveryTarget): void {
    this.#target = target
    this.#link.post({ op: 'discovery-target', id: this.#id, target })
  }

  /** Gives a sidecar pod a new DNS view (its resolver forgets what it cached). */
  setNames(names: NameTable): void {
    this.#link.post({ op: 'names', id: this.#id, names })
  }
  /** Kills the pod's thread as a crash would, to test what the mesh does about it. */
  crashThreadForTest(): Promise<void> {
    return this.#link.kill()
  }

  /** Connects the proxy to its control plane: pushes go down, ACKs come back up. */
  watch(source: ConfigSource): void {
    // A dead proxy disconnects from istiod: its control plane stops waiting for its ACKs.
    this.#link.onDown(() => this.#watch?.close())
    this.#link.acks.set(this.#id, (version) => {
      const config = this.#sent.get(version)
      if (config) this.#config = config
      for (const v of this.#sent.keys()) if (v <= version) this.#sent.delete(v)
      this.#watch?.ack(version)
    })
    this.#watch = source.watch(this.node, (config) => {
      this.#sent.set(config.version, config)
      // A proxy that keeps NACKing must not make the mesh keep every push it refused.
      for (const v of this.#sent.keys()) if (this.#sent.size > UNACKED_KEPT) this.#sent.delete(v)
      this.#link.post({ op: 'config', id: this.#id, config })
    })
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#watch?.close()
      this.#link.acks.delete(this.#id)
      this.#link.reports.delete(this.#id)
      await this.#link.call({ op: 'close', id: this.#id }).catch(() => undefined)
    })()
    return this.#closed
  }
}

export class PodThreads {
  readonly #opts: PodThreadsOptions
  readonly #links: ThreadLink[] = []
  #next = 0

  constructor(opts: PodThreadsOptions) {
    this.#opts = opts
  }

  /** Starts a pod on the next thread; with a source, its proxy follows that control plane. */
  async start(init: PodInit, source?: ConfigSource): Promise<PodHandle> {
    const id = this.#next++
    const link = this.#linkFor(id)
    const handle = new PodHandle(link, id, init.node, init.discovery, init.secret)
    try {
      handle.started((await link.call({ op: 'start', id, init })) as Started)
    } catch (err) {
      link.reports.delete(id)
      throw err
    }
    if (source) handle.watch(source)
    return handle
  }

  /** Resolves once every record the pods' proxies wrote so far has been handed to `onRecords`. */
  async flush(): Promise<void> {
    await Promise.all(this.#links.map((l) => l.call({ op: 'flush' }).catch(() => undefined)))
  }

  /** Stops every pod thread (close the pods first to let their last records out). */
  async close(): Promise<void> {
    await Promise.all(this.#links.splice(0).map((l) => l.stop()))
  }

  #linkFor(id: number): ThreadLink {
    const threads = this.#opts.threads
    const slot = threads <= 0 ? 0 : id % threads
    let link = this.#links[slot]
    if (link === undefined) {
      const init: PodThreadInit = { fabric: this.#opts.fabric }
      link = threads <= 0 ? this.#inThisThread(init) : this.#inWorker(init)
      this.#links[slot] = link
    }
    return link
  }

  #inWorker(init: PodThreadInit): ThreadLink {
    // Sources run as .ts (tests, bench) and the build as .js: the entry sits next to this file.
    const entry = new URL(`./pod-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
    const worker = new Worker(entry, {
      workerData: init,
      resourceLimits: POD_RESOURCE_LIMITS,
    })
    let stopping = false
    const link = new ThreadLink({
      send: (m) => worker.postMessage(m),
      stop: async () => {
        stopping = true
        await worker.terminate()
      },
      kill: async () => {
        await worker.terminate()
      },
      onRecords: this.#opts.onRecords,
    })
    worker.on('message', (m: FromThread) => link.receive(m))
    worker.on('error', (err) => link.fail(err))
    worker.on('exit', (code) => {
      if (!stopping) link.fail(new Error(`pod thread exited with code ${code}`))
    })
    return link
  }

  #inThisThread(init: PodThreadInit): ThreadLink {
    const { port1, port2 } = new MessageChannel()
    servePods(port2, init)
    const stop = async () => {
      port1.close()
      port2.close()
    }
    const link = new ThreadLink({
      send: (m) => port1.postMessage(m),
      stop,
      kill: stop,
      onRecords: this.#opts.onRecords,
    })
    port1.on('message', (m: FromThread) => link.receive(m))
    return link
  }
}
