// A proxy's discovery client for an istiod it reaches over the network (xds/ads.ts): dials the
// discovery address through the pod's network with mTLS, subscribes, hands each push to the
// proxy and sends its ACKs. When the stream breaks, the proxy keeps its last config (as Envoy
// does) and the client redials with backoff until it is closed.

import type {
  ConfigSource,
  ConfigWatch,
  DiscoveryTarget,
  ProxyConfig,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import { encodeFrame, FrameDecoder } from '../xds/index.ts'
import { connectMtls } from './connector.ts'
import type { PodNetwork } from './network.ts'

export type DiscoveryState = 'connecting' | 'connected' | 'disconnected'

export interface DiscoveryStatus {
  readonly state: DiscoveryState
  /** Why the stream last ended or failed to start (Envoy's gRPC warning, in words). */
  readonly detail?: string
}

export interface AdsClientOptions {
  readonly network: PodNetwork
  readonly target: DiscoveryTarget
  readonly secret: WorkloadSecret
  readonly connectTimeoutMs: number
  readonly onStatus?: (status: DiscoveryStatus) => void
  /** Redial delays, the first doubling up to the last (100 ms to 1 s: quicker than Envoy's 30 s cap, so a workshop sees recovery). */
  readonly retryMs?: { readonly first: number; readonly max: number }
}

export class AdsClient implements ConfigSource {
  readonly #opts: AdsClientOptions
  #target: DiscoveryTarget
  #redialNow: (() => void) | undefined
  #status: DiscoveryStatus = { state: 'connecting' }
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #write: ((line: string) => void) | undefined
  #destroy: (() => void) | undefined

  constructor(opts: AdsClientOptions) {
    this.#opts = opts
    this.#target = opts.target
  }

  get target(): DiscoveryTarget {
    return this.#target
  }

  /** Points the client at another istiod address (a re-pointed remotePilotAddress) and redials. */
  retarget(target: DiscoveryTarget): void {
    this.#target = target
    this.#redialNow?.()
  }

  get status(): DiscoveryStatus {
    return this.#status
  }

  watch(node: ProxyNode, onConfig: (config: ProxyConfig) => void): ConfigWatch {
    const retry = this.#opts.retryMs ?? { first: 100, max: 1000 }
    let delay = retry.first
    // Each attempt has a number; one a retarget superseded gives up quietly when it ends.
    let attempt = 0
    const connect = async () => {
      if (this.#closed) return
      const mine = ++attempt
      const current = () => mine === attempt && !this.#closed
      this.#setStatus({ state: 'connecting', ...this.#detail() })
      const { network, secret, connectTimeoutMs } = this.#opts
      const target = this.#target
      let socket: Awaited<ReturnType<typeof connectMtls>>['socket']
      try {
        const conn = await connectMtls(
          network,
          target,
          { sni: target.serverName, subjectAltNames: [target.identity as never] },
          secret,
          ['h2'],
          connectTimeoutMs,
        )
        socket = conn.socket
      } catch (err) {
        if (!current()) return
        return redial(
          `connection to ${target.address}:${target.port} failed: ${(err as Error).message}`,
        )
      }
      if (!current()) {
        socket.destroy()
        return
      }
      delay = retry.first
      socket.setEncoding('utf8')
      const decoder = new FrameDecoder()
      let detail = 'stream closed by istiod'
      this.#write = (line) => socket.write(line)
      this.#destroy = () => socket.destroy()
      this.#setStatus({ state: 'connected' })
      socket.write(encodeFrame({ type: 'subscribe', node }))
      socket.on('data', (chunk: string) => {
        const frames = decoder.push(chunk)
        if (frames === 'bad') {
          detail = 'bad frame from istiod'
          socket.destroy()
          return
        }
        for (const f of frames as { type?: string; config?: ProxyConfig; message?: string }[]) {
          if (f.type === 'config' && f.config) onConfig(f.config)
          else if (f.type === 'error' && f.message) detail = f.message
        }
      })
      socket.once('close', () => {
        this.#write = undefined
        this.#destroy = undefined
        if (current()) redial(detail)
      })
    }
    const redial = (detail: string) => {
      if (this.#closed) return
      this.#setStatus({ state: 'disconnected', detail })
      this.#timer = setTimeout(connect, delay)
      delay = Math.min(delay * 2, retry.max)
    }
    this.#redialNow = () => {
      if (this.#closed) return
      clearTimeout(this.#timer)
      this.#destroy?.()
      delay = retry.first
      void connect()
    }
    void connect()
    return {
      ack: (version) => this.#write?.(encodeFrame({ type: 'ack', version })),
      close: () => this.close(),
    }
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#destroy?.()
  }

  #detail(): { detail?: string } {
    return this.#status.detail ? { detail: this.#status.detail } : {}
  }

  #setStatus(status: DiscoveryStatus): void {
    this.#status = status
    this.#opts.onStatus?.(status)
  }
}
