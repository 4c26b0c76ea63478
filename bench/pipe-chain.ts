// The byte-pipe ceiling for the data-path benchmark: the same hops as a cross-network request
// (plaintext in, mTLS out, a gateway that pipes bytes, mTLS terminated, plaintext to the app) with
// no HTTP awareness at all, one upstream connection per client connection. It shows what Node's
// sockets and TLS cost on this machine before any proxy logic.

import { connect, createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls'
import type { WorkloadSecret } from '../src/xds/index.ts'

function join(a: Socket, b: Socket): void {
  a.pipe(b)
  b.pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
  a.on('close', () => b.destroy())
  b.on('close', () => a.destroy())
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return typeof address === 'object' && address ? address.port : 0
}

export interface PipeChain {
  /** Where a client sends plaintext HTTP, as to a capture port. */
  readonly port: number
  close(): void
}

export async function startPipeChain(appPort: number, secret: WorkloadSecret): Promise<PipeChain> {
  const tls = { cert: secret.certChainPem, key: secret.privateKeyPem, ca: secret.rootCertPem }
  const inbound = createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (s) =>
    join(s, connect({ host: '127.0.0.1', port: appPort, noDelay: true })),
  )
  const inboundPort = await listen(inbound)
  const gateway = createServer({ noDelay: true }, (s) =>
    join(s, connect({ host: '127.0.0.1', port: inboundPort, noDelay: true })),
  )
  const gatewayPort = await listen(gateway)
  const capture = createServer({ noDelay: true }, (s) => {
    const upstream = tlsConnect({
      ...tls,
      host: '127.0.0.1',
      port: gatewayPort,
      servername: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
      checkServerIdentity: () => undefined,
    })
    upstream.setNoDelay(true)
    join(s, upstream)
  })
  const port = await listen(capture)
  const servers = [capture, gateway, inbound]
  return {
    port,
    close: () => {
      for (const s of servers) s.close()
    },
  }
}
