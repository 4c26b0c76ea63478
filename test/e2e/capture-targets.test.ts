// How the capture port reads where a request goes, as Envoy does for a proxied request: an
// absolute-form target wins, origin form takes the Host header, paths are normalized (dot
// segments), and a target it cannot route is a local 400.

import { once } from 'node:events'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadTopologyFile } from '../../src/config/index.ts'
import { type Mesh, startMesh } from '../../src/runtime/index.ts'
import { recordsOf } from '../helpers/mesh.ts'

/** Sends one request head as written and returns the status line and the logged path. */
async function send(mesh: Mesh, head: string): Promise<{ status: string; path?: string }> {
  const records = recordsOf(mesh)
  const port = mesh.pod('cluster1/sample/sleep')?.sidecar?.capturePort ?? 0
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => socket.destroy())
  let received = ''
  socket.on('data', (c: Buffer) => {
    received += c.toString('latin1')
  })
  socket.end(`${head}\r\nconnection: close\r\n\r\n`)
  await once(socket, 'close')
  await mesh.flushRecords()
  const out = records.find((r) => r.direction === 'outbound')
  return {
    status: received.slice(0, received.indexOf('\r\n')),
    ...(out?.path ? { path: out.path } : {}),
  }
}

describe('capture targets', () => {
  let mesh: Mesh
  beforeAll(async () => {
    mesh = await startMesh(
      loadTopologyFile(new URL('../../examples/two-networks.yaml', import.meta.url).pathname),
    )
  })
  afterAll(() => mesh.close())

  test('origin form routes by the Host header and keeps the path', async () => {
    expect(await send(mesh, 'GET /hello HTTP/1.1\r\nhost: helloworld.sample:5000')).toEqual({
      status: 'HTTP/1.1 200 OK',
      path: '/hello',
    })
  })

  test('an absolute-form target wins over the Host header', async () => {
    const r = await send(
      mesh,
      'GET http://helloworld.sample:5000/hello HTTP/1.1\r\nhost: nowhere.invalid:1',
    )
    expect(r).toEqual({ status: 'HTTP/1.1 200 OK', path: '/hello' })
  })

  test('dot segments and percent-encoded dots are resolved before routing', async () => {
    const host = '\r\nhost: helloworld.sample:5000'
    expect(await send(mesh, `GET /x/../hello HTTP/1.1${host}`)).toEqual({
      status: 'HTTP/1.1 200 OK',
      path: '/hello',
    })
    expect(await send(mesh, `GET /x/%2e%2e/hello?a=1 HTTP/1.1${host}`)).toEqual({
      status: 'HTTP/1.1 200 OK',
      path: '/hello?a=1',
    })
  })

  test('host names compare without regard to case, as DNS does', async () => {
    const r = await send(mesh, 'GET /hello HTTP/1.1\r\nhost: HelloWorld.Sample:5000')
    expect(r.status).toBe('HTTP/1.1 200 OK')
  })

  test('no Host, a Host with a path in it, or an https target is a local 400', async () => {
    expect((await send(mesh, 'GET /hello HTTP/1.1')).status).toBe('HTTP/1.1 400 Bad Request')
    expect((await send(mesh, 'GET /hello HTTP/1.1\r\nhost: helloworld.sample:5000/x')).status).toBe(
      'HTTP/1.1 400 Bad Request',
    )
    expect(
      (await send(mesh, 'GET https://helloworld.sample:5000/hello HTTP/1.1\r\nhost: x')).status,
    ).toBe('HTTP/1.1 400 Bad Request')
  })
})
