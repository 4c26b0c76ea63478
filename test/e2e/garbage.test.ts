// Bad bytes at every kind of listener a pod has (capture port, SOCKS5, inbound mTLS) close that
// connection only; the mesh keeps serving the next request.

import { once } from 'node:events'
import { connect } from 'node:net'
import { expect, test } from 'vitest'
import { networkId } from '../../src/model/index.ts'
import { callFrom, meshFromExample } from '../helpers/mesh.ts'

const HELLO = 'http://helloworld.sample:5000/hello'

async function sendAndClose(port: number, bytes: Buffer): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => socket.destroy())
  let received = ''
  socket.on('data', (c: Buffer) => {
    received += c.toString('latin1')
  })
  await once(socket, 'connect')
  socket.end(bytes)
  await once(socket, 'close')
  return received
}

test('garbage at the capture port, a broken SOCKS5 greeting and junk to an inbound port leave the mesh serving', async () => {
  const mesh = await meshFromExample('two-networks.yaml')
  const sleep = mesh.pod('cluster1/sample/sleep')
  const capture = sleep?.sidecar?.capturePort ?? 0
  // Envoy's answer to an HTTP/1 codec error: a local 400, then the connection closes.
  expect(await sendAndClose(capture, Buffer.from('\x16\x03\x01garbage\r\n\r\n'))).toMatch(
    /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*connection: close\r\n\r\nBad Request$/,
  )
  expect(await sendAndClose(capture, Buffer.from([5, 200, 1]))).toBe('')
  expect(await sendAndClose(capture, Buffer.from([5, 1, 0, 5, 9, 0, 3]))).not.toContain('HTTP')
  const { socket } = await mesh.fabric.dial(
    '10.10.0.250',
    networkId('network1'),
    mesh.pod('cluster1/sample/helloworld')?.ip ?? '',
    5000,
    1000,
  )
  socket.on('error', () => socket.destroy())
  socket.end(Buffer.alloc(4096, 0xff))
  await once(socket, 'close')
  expect((await callFrom(mesh, 'cluster1/sample/sleep', HELLO)).status).toBe(200)
  expect((await sleep?.sidecar?.stats())?.downstream_cx_protocol_error).toBeGreaterThanOrEqual(1)
})
