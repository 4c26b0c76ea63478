// The discovery stream between a proxy and an istiod it reaches over the network (port 15012):
// meshsim's stand-in for ADS over gRPC. Frames are JSON, one per line, inside mTLS: the proxy
// subscribes with its node, istiod pushes full configs, the proxy ACKs the versions it applied.

import type { ProxyConfig, ProxyNode } from './proxy-config.ts'

/** istiod's XDS and CA port (what `discoveryAddress` and `remotePilotAddress` point at). */
export const DISCOVERY_PORT = 15012

/** What a proxy needs to find its control plane over the network. */
export interface DiscoveryTarget {
  /** `remotePilotAddress`: the primary's east-west gateway, or istiod's pod IP on a flat network. */
  readonly address: string
  readonly port: number
  /** The SNI the proxy sends (`istiod.istio-system.svc`). */
  readonly serverName: string
  /** istiod's SPIFFE id, checked against its certificate. */
  readonly identity: string
}

export type ProxyFrame =
  | { readonly type: 'subscribe'; readonly node: ProxyNode }
  | { readonly type: 'ack'; readonly version: number }

export type ControlPlaneFrame =
  | { readonly type: 'config'; readonly config: ProxyConfig }
  /** istiod refuses the stream (e.g. no remote secret for the proxy's cluster), then closes. */
  | { readonly type: 'error'; readonly message: string }

/** A frame larger than this is a broken or hostile peer: the stream is closed. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024

export const encodeFrame = (frame: ProxyFrame | ControlPlaneFrame): string =>
  `${JSON.stringify(frame)}\n`

/**
 * Splits a byte stream into frames. `push` returns the complete frames so far, or 'bad' when a
 * frame is not JSON or grows past the limit (the caller closes the stream and counts it).
 */
export class FrameDecoder {
  #pending = ''

  push(chunk: string): unknown[] | 'bad' {
    this.#pending += chunk
    if (this.#pending.length > MAX_FRAME_BYTES) return 'bad'
    const out: unknown[] = []
    for (let nl = this.#pending.indexOf('\n'); nl >= 0; nl = this.#pending.indexOf('\n')) {
      const line = this.#pending.slice(0, nl)
      this.#pending = this.#pending.slice(nl + 1)
      try {
        out.push(JSON.parse(line))
      } catch {
        return 'bad'
      }
    }
    return out
  }
}
