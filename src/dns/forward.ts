// Asking a stub domain's server (kube-dns `stubDomains`, CoreDNS `forward`): the query's bytes go
// out over UDP under a fresh id, and the first reply carrying that id comes back as bytes.

import { randomInt } from 'node:crypto'
import { createSocket } from 'node:dgram'

/** How long a forwarded query may wait for its answer before the client gets SERVFAIL. */
export const FORWARD_TIMEOUT_MS = 2000

export function forwardQuery(
  query: Buffer,
  to: { readonly address: string; readonly port: number },
  timeoutMs = FORWARD_TIMEOUT_MS,
): Promise<Buffer> {
  const id = randomInt(0, 0x10000)
  const out = Buffer.from(query)
  out.writeUInt16BE(id, 0)
  const socket = createSocket('udp4')
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)
    socket.on('error', reject)
    socket.on('message', (reply: Buffer) => {
      if (reply.length >= 12 && reply.readUInt16BE(0) === id) resolve(reply)
    })
    socket.send(out, to.port, to.address, (err) => {
      if (err) reject(err)
    })
    socket.once('close', () => clearTimeout(timer))
  }).finally(() => socket.close())
}
