// One hop of the byte-pipe chain, on a thread of its own as each pod runs on its own thread in
// the mesh: capture (plaintext in, mTLS out), gateway (TCP both ways) or inbound (mTLS in,
// plaintext out). Tells its parent the port it listens on.

import { connect, createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls'
import { parentPort, workerData } from 'node:worker_threads'

export interface HopData {
  readonly kind: 'capture' | 'gateway' | 'inbound'
  /** The port of the next hop (or the app). */
  readonly next: number
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string }
}

function join(a: Socket, b: Socket): void {
  a.pipe(b)
  b.pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
  a.on('close', () => b.destroy())
  b.on('close', () => a.destroy())
}

function server({ kind, next, tls }: HopData): Server {
  const plain = () => connect({ host: '127.0.0.1', port: next, noDelay: true })
  if (kind === 'inbound')
    return createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (s) =>
      join(s, plain()),
    )
  if (kind === 'gateway') return createServer({ noDelay: true }, (s) => join(s, plain()))
  return createServer({ noDelay: true }, (s) => {
    const upstream = tlsConnect({
      ...tls,
      host: '127.0.0.1',
      port: next,
      servername: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
      checkServerIdentity: () => undefined,
    })
    upstream.setNoDelay(true)
    join(s, upstream)
  })
}

const srv = server(workerData as HopData)
srv.listen(0, '127.0.0.1', () => {
  const address = srv.address()
  parentPort?.postMessage(typeof address === 'object' && address ? address.port : 0)
})
