// Stalled TLS handshakes at a sidecar's inbound port (reliability matrix ID-12): clients that
// open a connection and send half a ClientHello, or nothing, are dropped at the sidecar's
// handshake timeout instead of Node's 120 s, and a good client is served meanwhile.

import { once } from 'node:events'
import type { Socket } from 'node:net'
import { expect, test } from 'vitest'
import { networkId } from '../../src/model/index.ts'
import { callFrom, meshFromExample } from '../helpers/mesh.ts'

const STALLED = 20
/** Half a TLS record header: a ClientHello that never finishes. */
const HALF_HELLO = Buffer.from([0x16, 0x03, 0x01])

test('stalled TLS handshakes at an inbound port are dropped at the handshake timeout while a good client is served', async () => {
  const mesh = await meshFromExample('two-networks.yaml', { handshakeTimeoutMs: 300 })
  const helloworld = mesh.pod('cluster1/sample/helloworld')
  if (!helloworld?.sidecar) throw new Error('helloworld missing')
  const errorsBefore = (await helloworld.sidecar.stats())['ssl.connection_error'] ?? 0

  const stalled: Socket[] = []
  for (let i = 0; i < STALLED; i++) {
    // From another pod of the same network, as a client sidecar would dial it.
    const { socket } = await mesh.fabric.dial(
      '10.10.0.250',
      networkId('network1'),
      helloworld.ip,
      5000,
      1000,
    )
    socket.on('error', () => socket.destroy())
    if (i % 2 === 0) socket.write(HALF_HELLO)
    stalled.push(socket)
  }
  const opened = performance.now()
  const closed = Promise.all(stalled.map((s) => (s.closed ? undefined : once(s, 'close'))))

  // The stalls do not hold up anyone else.
  const good = await callFrom(mesh, 'cluster1/sample/sleep', 'http://helloworld.sample:5000/hello')
  expect(good.status).toBe(200)

  await closed
  const waited = performance.now() - opened
  expect(waited).toBeGreaterThanOrEqual(250)
  // Far below Node's 120 s default (the bound leaves room for a loaded CI machine).
  expect(waited).toBeLessThan(10_000)
  const errors = (await helloworld.sidecar.stats())['ssl.connection_error'] ?? 0
  expect(errors - errorsBefore).toBe(STALLED)
})
