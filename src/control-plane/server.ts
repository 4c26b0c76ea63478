// One control plane (istiod): watches its registry, turns changes into snapshots after a short
// debounce, generates each connected proxy's config and pushes it; proxies ACK what they applied.
// `settled()` resolves once every proxy has acknowledged the latest push (Istio's EnsureSynced).

import type { ClusterId, ClusterRewriteFilter, MeshConfig, MeshNetwork } from '../model/index.ts'
import type { ConfigSource, ConfigWatch, ProxyConfig, ProxyNode } from '../xds/index.ts'
import { ConfigStore } from './config-store.ts'
import { generate } from './generators/index.ts'
import type { Registry } from './registry.ts'
import { buildSnapshot, istioConfigOf, type MeshSettings, type MeshSnapshot } from './snapshot.ts'

/** Schedules the debounced push; tests may pass one that runs immediately. */
export type Scheduler = (run: () => void) => void

const nextTick: Scheduler = (run) => setImmediate(run)

interface Watcher {
  readonly node: ProxyNode
  readonly onConfig: (c: ProxyConfig) => void
  acked?: number
  closed: boolean
}

export class ControlPlane implements ConfigSource {
  readonly cluster: ClusterId
  readonly registry: Registry
  /** Istio resources of this control plane's own cluster (the only ones istiod reads). */
  readonly config: ConfigStore
  readonly #settings: MeshSettings
  readonly #envoyFilters: readonly ClusterRewriteFilter[]
  #meshConfig: MeshConfig
  #meshNetworks: Readonly<Record<string, MeshNetwork>> | undefined
  readonly #schedule: Scheduler
  readonly #watchers = new Set<Watcher>()
  readonly #waiters: (() => void)[] = []
  #snapshot: MeshSnapshot
  #version = 0
  #pending = false
  #stopped = false

  constructor(opts: {
    cluster: ClusterId
    registry: Registry
    settings: MeshSettings
    config?: ConfigStore
    /** EnvoyFilters the install created in this cluster (the `.global` rewrite). */
    envoyFilters?: readonly ClusterRewriteFilter[]
    meshConfig?: MeshConfig
    meshNetworks?: Readonly<Record<string, MeshNetwork>>
    schedule?: Scheduler
  }) {
    this.cluster = opts.cluster
    this.registry = opts.registry
    this.config = opts.config ?? new ConfigStore()
    this.#envoyFilters = opts.envoyFilters ?? []
    this.#settings = opts.settings
    this.#meshConfig = opts.meshConfig ?? {}
    this.#meshNetworks = opts.meshNetworks
    this.#schedule = opts.schedule ?? nextTick
    this.#snapshot = this.#build(0)
    this.registry.onChange(() => this.#requestPush())
    this.config.onChange(() => this.#requestPush())
  }

  get meshConfig(): MeshConfig {
    return this.#meshConfig
  }

  /** Replaces meshConfig (editing the `istio` ConfigMap); proxies get new config. */
  setMeshConfig(meshConfig: MeshConfig): void {
    this.#meshConfig = meshConfig
    this.#requestPush()
  }

  get meshNetworks(): Readonly<Record<string, MeshNetwork>> | undefined {
    return this.#meshNetworks
  }

  /** Replaces meshNetworks (the istio ConfigMap's `meshNetworks`); istiod reloads it. */
  setMeshNetworks(meshNetworks: Readonly<Record<string, MeshNetwork>> | undefined): void {
    this.#meshNetworks = meshNetworks
    this.#requestPush()
  }

  #build(version: number): MeshSnapshot {
    const config = istioConfigOf(this.config.list(), this.#envoyFilters)
    return buildSnapshot(
      version,
      this.#settings,
      this.registry,
      config,
      this.#meshConfig,
      this.#meshNetworks,
    )
  }

  get snapshot(): MeshSnapshot {
    return this.#snapshot
  }

  watch(node: ProxyNode, onConfig: (config: ProxyConfig) => void): ConfigWatch {
    const w: Watcher = { node, onConfig, closed: false }
    this.#watchers.add(w)
    this.#send(w)
    return {
      ack: (version) => {
        if (w.acked === undefined || version > w.acked) w.acked = version
        this.#checkSettled()
      },
      close: () => {
        w.closed = true
        this.#watchers.delete(w)
        this.#checkSettled()
      },
    }
  }

  /** Pushes now instead of after the debounce. */
  flush(): void {
    if (this.#stopped) return
    this.#pending = false
    this.#version++
    this.#snapshot = this.#build(this.#version)
    for (const w of this.#watchers) this.#send(w)
    this.#checkSettled()
  }

  /** Resolves when no push is pending and every proxy acknowledged the latest one. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve)
      this.#checkSettled()
    })
  }

  stop(): void {
    this.#stopped = true
    this.#watchers.clear()
    this.#checkSettled()
  }

  #requestPush(): void {
    if (this.#pending || this.#stopped) return
    this.#pending = true
    this.#schedule(() => {
      if (this.#pending) this.flush()
    })
  }

  #send(w: Watcher): void {
    const config = generate(w.node, this.#snapshot, this.#version)
    try {
      w.onConfig(config)
    } catch {
      // A proxy that cannot apply a push NACKs by not acknowledging; it keeps its old config.
    }
  }

  #checkSettled(): void {
    const synced =
      this.#stopped ||
      (!this.#pending && [...this.#watchers].every((w) => w.closed || w.acked === this.#version))
    if (!synced) return
    for (const resolve of this.#waiters.splice(0)) resolve()
  }
}
