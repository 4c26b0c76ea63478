// Moving one HTTP exchange through a sidecar: read the downstream body, send the request on an
// upstream pool and stream the answer back, or write an Envoy local reply instead.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { forwardable } from './headers.ts'
import type { LocalReply } from './local-reply.ts'
import type { Upstream } from './upstreams.ts'

/** Buffers the request body (so a retry can send it again). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export interface Forwarded {
  readonly status: number
  /** Response body bytes written downstream. */
  readonly bytesSent: number
  /** Time to the upstream's response headers (X-ENVOY-UPSTREAM-SERVICE-TIME). */
  readonly serviceTimeMs: number
}

/**
 * Sends the request upstream and streams the response to `res`. Rejects only when no response
 * arrived (the caller decides about retries); a body cut short afterwards resets `res`.
 */
export async function forward(
  up: Upstream,
  request: {
    readonly path: string
    readonly method: string
    readonly headers: Record<string, string | string[]>
    readonly body: Buffer
  },
  res: ServerResponse,
  server: string,
): Promise<Forwarded> {
  const sent = performance.now()
  const upstream = await up.pool.request({
    path: request.path,
    method: request.method as 'GET',
    headers: request.headers,
    body: request.body.length > 0 ? request.body : null,
  })
  const serviceTimeMs = performance.now() - sent
  const out = forwardable(upstream.headers)
  out['x-envoy-upstream-service-time'] = String(Math.round(serviceTimeMs))
  out.server = server
  res.writeHead(upstream.statusCode, out)
  let bytesSent = 0
  try {
    for await (const chunk of upstream.body) {
      bytesSent += (chunk as Buffer).length
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
    }
    res.end()
  } catch {
    res.destroy()
  }
  return { status: upstream.statusCode, bytesSent, serviceTimeMs }
}

/** Answers with an Envoy local reply; returns the body bytes written. */
export function writeLocalReply(res: ServerResponse, reply: LocalReply, server: string): number {
  const length = Buffer.byteLength(reply.body)
  if (!res.headersSent) {
    res.writeHead(reply.status, { 'content-length': length, 'content-type': 'text/plain', server })
  }
  res.end(reply.body)
  return length
}
