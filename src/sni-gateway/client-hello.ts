// Peeks at a connection's TLS ClientHello (SNI and ALPN) without terminating TLS, keeping every
// byte read for replay to the upstream. Bounded in time (slow loris) and size; never throws.

import type { Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import { getExtensionData, NonTlsError, readTlsClientHello } from 'read-tls-client-hello'

/** Why no ClientHello could be read: `not_tls` for plaintext, `malformed` for a bad TLS record. */
export type HelloFailure = 'not_tls' | 'malformed' | 'timeout' | 'too_large' | 'closed'

export type HelloPeek =
  | {
      readonly ok: true
      readonly serverName: string | undefined
      readonly alpn: readonly string[]
      /** Everything read from the socket so far, in order: replay it before piping. */
      readonly bytes: Buffer
    }
  | { readonly ok: false; readonly reason: HelloFailure; readonly bytes: Buffer }

export interface PeekOptions {
  readonly timeoutMs: number
  /** Bytes the client may send before its ClientHello is complete. */
  readonly maxBytes: number
}

/**
 * read-tls-client-hello reads the first TLS record with `read(n)` and unshifts it back, but it
 * pauses and resumes the stream it is given, and drops the bytes of a partial read when the
 * stream closes. So it never touches the socket: it parses a copy fed from the socket's 'data'
 * events, and the chunks themselves are the replay buffer. On return the socket is paused, its
 * 'data' listener removed, and every byte not in `bytes` is still in the socket.
 */
export function peekClientHello(socket: Socket, opts: PeekOptions): Promise<HelloPeek> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const copy = new PassThrough()
    copy.on('error', () => copy.destroy())

    const settle = (outcome: HelloFailure | { serverName: string | undefined; alpn: string[] }) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      // Pause before removing the listener, so no chunk is emitted to nobody.
      socket.pause()
      socket.off('data', onData)
      socket.off('end', onGone)
      socket.off('close', onGone)
      copy.destroy()
      const bytes = Buffer.concat(chunks, size)
      resolve(
        typeof outcome === 'string'
          ? { ok: false, reason: outcome, bytes }
          : { ok: true, ...outcome, bytes },
      )
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > opts.maxBytes) settle('too_large')
      else copy.write(chunk)
    }
    // A hello that arrived with the FIN may still be parsing (ticks and microtasks): let it finish.
    const onGone = () => setImmediate(() => settle('closed'))
    const timer = setTimeout(() => settle('timeout'), opts.timeoutMs)

    socket.on('data', onData)
    socket.once('end', onGone)
    socket.once('close', onGone)
    readTlsClientHello(copy).then(
      (hello) =>
        settle({
          serverName: getExtensionData(hello, 'sni')?.serverName || undefined,
          alpn: getExtensionData(hello, 'alpn')?.protocols ?? [],
        }),
      (err: unknown) => settle(err instanceof NonTlsError ? 'not_tls' : 'malformed'),
    )
  })
}
