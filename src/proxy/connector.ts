// Istio mTLS origination: dial an endpoint through the fabric, then a TLS 1.3 handshake with the
// cluster's SNI, Istio's ALPN and the workload certificate, checking the server's SPIFFE id
// against the cluster's subject alt names (Envoy's SAN matcher) and its chain against ROOTCA.

import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'
import type { LbEndpoint, UpstreamTls, WorkloadSecret } from '../xds/index.ts'
import { DialError, type Dialed, type Peer, type PodNetwork } from './network.ts'

/**
 * Envoy's rendering of BoringSSL's verify failure (istio-semantics §6.4). Transport failure
 * reasons are kept as Envoy writes them in a local reply's body; access logs escape the spaces.
 */
const VERIFY_FAILED = 'TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED'

/** A connection attempt that failed before any request was sent (retriable as connect-failure). */
export class ConnectFailure extends Error {
  readonly resetReason: string
  readonly transportFailureReason?: string
  constructor(resetReason: string, transportFailureReason?: string) {
    super(
      transportFailureReason
        ? `${resetReason}, transport failure reason: ${transportFailureReason}`
        : resetReason,
    )
    this.name = 'ConnectFailure'
    this.resetReason = resetReason
    if (transportFailureReason !== undefined) this.transportFailureReason = transportFailureReason
  }
}

export interface UpstreamConnection {
  readonly socket: TLSSocket
  readonly local: Peer
  readonly peerIdentity?: string
  /** The SNI sent and the ALPN protocol the server chose. */
  readonly sni?: string
  readonly alpn?: string
}

/** The URI SANs of a peer certificate, from Node's `subjectaltname` string. */
export function uriSans(socket: TLSSocket): string[] {
  const san = socket.getPeerCertificate()?.subjectaltname ?? ''
  return san
    .split(', ')
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4))
}

/** Dials an endpoint; a failure becomes a ConnectFailure with Envoy's reset reason. */
export async function dialUpstream(
  network: PodNetwork,
  endpoint: Pick<LbEndpoint, 'address' | 'port'>,
  timeoutMs: number,
): Promise<Dialed> {
  try {
    return await network.dial(endpoint.address, endpoint.port, timeoutMs)
  } catch (err) {
    throw new ConnectFailure(
      err instanceof DialError ? err.resetReason : 'remote connection failure',
    )
  }
}

export async function connectMtls(
  network: PodNetwork,
  endpoint: Pick<LbEndpoint, 'address' | 'port'>,
  tls: UpstreamTls,
  secret: WorkloadSecret,
  alpn: readonly string[],
  timeoutMs: number,
): Promise<UpstreamConnection> {
  const dialed = await dialUpstream(network, endpoint, timeoutMs)
  const options: ConnectionOptions = {
    socket: dialed.socket,
    servername: tls.sni,
    ALPNProtocols: [...alpn],
    cert: secret.certChainPem,
    key: secret.privateKeyPem,
    ca: secret.rootCertPem,
    minVersion: 'TLSv1.2',
    // Identity is the SPIFFE URI, not a DNS name: check it ourselves after the chain verifies.
    checkServerIdentity: () => undefined,
  }
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(options)
    const fail = (err: Error & { code?: string }) => {
      socket.destroy()
      dialed.socket.destroy()
      const detail = err.code === 'ECONNRESET' ? 'Connection reset by peer' : err.message
      const verify = /certificate|verify|self.signed|issuer/i.test(err.message)
      reject(
        new ConnectFailure(
          'remote connection failure',
          verify ? `${VERIFY_FAILED}:TLS_error_end` : `TLS_error:|${detail}:TLS_error_end`,
        ),
      )
    }
    socket.once('error', fail)
    socket.once('close', () =>
      fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    )
    socket.once('secureConnect', () => {
      socket.off('error', fail)
      socket.removeAllListeners('close')
      const sans = uriSans(socket)
      if (
        tls.subjectAltNames.length > 0 &&
        !sans.some((s) => tls.subjectAltNames.includes(s as never))
      ) {
        socket.destroy()
        reject(
          new ConnectFailure(
            'remote connection failure',
            `${VERIFY_FAILED}:verify cert failed: verify SAN list:TLS_error_end`,
          ),
        )
        return
      }
      socket.on('error', () => socket.destroy())
      resolve({
        socket,
        local: dialed.local,
        ...(sans[0] ? { peerIdentity: sans[0] } : {}),
        ...(tls.sni ? { sni: tls.sni } : {}),
        ...(socket.alpnProtocol ? { alpn: socket.alpnProtocol } : {}),
      })
    })
  })
}
