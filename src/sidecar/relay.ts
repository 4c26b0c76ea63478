// Moving one HTTP exchange through a sidecar: take a pooled connection, relay the exchange, and
// hand the connection back; or answer with an Envoy local reply instead.

import { STATUS_CODES } from 'node:http'
import type {
  ConnectionPool,
  RelayOutcome,
  ResponseRewrite,
  ServerExchange,
} from '../proxy/index.ts'
import { relayExchange } from '../proxy/index.ts'
import type { LocalReply } from './local-reply.ts'

export interface Relayed {
  readonly outcome: RelayOutcome
  /** The connection that carried it, for UPSTREAM_LOCAL_ADDRESS and the peer's identity. */
  readonly localAddress: string
  readonly peerIdentity: string | undefined
  readonly sni: string | undefined
  readonly alpn: string | undefined
}

/**
 * Sends the exchange on a connection from `pool`, once more on a fresh connection when a reused
 * one turns out stale. Rejects only when no connection could be made (the connector's error).
 */
export async function forward(
  pool: ConnectionPool,
  ex: ServerExchange,
  head: string,
  rewrite: ResponseRewrite,
): Promise<Relayed> {
  let replay = false
  for (let attempt = 0; ; attempt++) {
    const conn = (attempt === 0 ? pool.idle() : undefined) ?? (await pool.open())
    const outcome = await relayExchange(ex, conn, { head, replay }, rewrite)
    if (outcome.kind === 'response') pool.release(conn, outcome.reusable)
    else conn.destroy()
    if (outcome.kind === 'reset' && outcome.stale && attempt === 0) {
      replay = true
      continue
    }
    return {
      outcome,
      localAddress: conn.localAddress,
      peerIdentity: conn.peerIdentity,
      sni: conn.sni,
      alpn: conn.alpn,
    }
  }
}

/** Answers with an Envoy local reply; returns the body bytes written. */
export function writeLocalReply(ex: ServerExchange, reply: LocalReply, server: string): number {
  if (ex.responseStarted) {
    ex.destroy()
    return 0
  }
  return ex.reply(
    reply.status,
    STATUS_CODES[reply.status] ?? 'Unknown',
    ['content-type', 'text/plain', 'server', server],
    reply.body,
  )
}
