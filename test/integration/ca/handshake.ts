// One real mTLS handshake over 127.0.0.1 between two workload identities, reporting what each
// side saw. Waits for events, never for time.

import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect, createServer, type TLSSocket } from 'node:tls'
import { checkSvidLeaf, type SvidCheck } from '../../../src/ca/index.ts'

export interface Identity {
  readonly key: string
  /** Leaf first, then intermediates. */
  readonly cert: string
  /** Trusted roots. */
  readonly ca: string
}

export interface HandshakeResult {
  readonly server: {
    /** OpenSSL's verdict on the client certificate. */
    readonly authorized: boolean
    /** meshsim's SPIFFE check of the client leaf, when the handshake completed. */
    readonly svid?: SvidCheck
    /** The client's SPIFFE id, when the SPIFFE check passed. */
    readonly peerSpiffeId?: string
    /** Why OpenSSL refused the client certificate (node's authorizationError), or the socket error. */
    readonly errorCode?: string
  }
  readonly client: {
    readonly peerSpiffeId?: string
    /** What the server sent after the handshake. */
    readonly received: string
    readonly error?: Error & { code?: string }
  }
}

export const SNI = 'outbound_.5000_._.helloworld.sample.svc.cluster.local'

/**
 * Server: requestCert + rejectUnauthorized (Istio's inbound). Client: SNI as Istio sets it, and
 * a checkServerIdentity that checks the URI SAN against `expectServerId` (Node ignores URI SANs).
 */
export async function handshake(
  server: Identity,
  client: Identity,
  expectServerId: string,
): Promise<HandshakeResult> {
  const srv = createServer({
    key: server.key,
    cert: server.cert,
    ca: server.ca,
    requestCert: true,
    rejectUnauthorized: true,
  })
  const serverOutcome = new Promise<HandshakeResult['server']>((resolve) => {
    srv.on('secureConnection', (socket) => {
      const leaf = socket.getPeerX509Certificate()
      const svid = leaf ? checkSvidLeaf(leaf) : undefined
      resolve({
        authorized: socket.authorized,
        ...(svid ? { svid } : {}),
        ...(svid?.ok ? { peerSpiffeId: svid.spiffeId } : {}),
      })
      socket.on('error', () => socket.destroy())
      socket.end('hello from the server')
    })
    // With rejectUnauthorized the server drops a refused client silently; the reason is left on
    // the socket as authorizationError.
    srv.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      const reason = (socket as TLSSocket & { authorizationError?: string }).authorizationError
      resolve({ authorized: false, errorCode: reason ?? err.code ?? err.message })
    })
  })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as AddressInfo

  let peerSpiffeId: string | undefined
  let error: (Error & { code?: string }) | undefined
  let received = ''
  const socket = connect({
    host: '127.0.0.1',
    port,
    key: client.key,
    cert: client.cert,
    ca: client.ca,
    servername: SNI,
    checkServerIdentity: (_host, cert) => {
      const svid = checkSvidLeaf(new X509Certificate(cert.raw), [expectServerId])
      if (svid.ok) {
        peerSpiffeId = svid.spiffeId
        return undefined
      }
      return Object.assign(new Error(svid.reason), { code: svid.code })
    },
  })
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', (err: Error & { code?: string }) => {
    error ??= err
  })
  await new Promise((resolve) => socket.on('close', resolve))
  const serverResult = await serverOutcome
  srv.close()
  await once(srv, 'close')
  return {
    server: serverResult,
    client: {
      received,
      ...(peerSpiffeId === undefined ? {} : { peerSpiffeId }),
      ...(error ? { error } : {}),
    },
  }
}
