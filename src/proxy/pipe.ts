// Joins two sockets both ways with half-close, and counts bytes; an error or close on either
// side tears down the other. The one byte-stream primitive gateways and TCP proxies share.

import type { Duplex } from 'node:stream'

export interface PipeResult {
  /** Bytes read from `downstream`. */
  readonly received: number
  /** Bytes written to `downstream`. */
  readonly sent: number
}

export function pipeBoth(downstream: Duplex, upstream: Duplex): Promise<PipeResult> {
  let received = 0
  let sent = 0
  downstream.on('data', (c: Buffer) => {
    received += c.length
  })
  upstream.on('data', (c: Buffer) => {
    sent += c.length
  })
  return new Promise((resolve) => {
    let open = 2
    const done = () => {
      if (--open === 0) resolve({ received, sent })
    }
    const teardown = () => {
      downstream.destroy()
      upstream.destroy()
    }
    downstream.once('error', teardown)
    upstream.once('error', teardown)
    downstream.once('close', () => {
      upstream.end()
      done()
    })
    upstream.once('close', () => {
      downstream.end()
      done()
    })
    downstream.pipe(upstream)
    upstream.pipe(downstream)
  })
}
