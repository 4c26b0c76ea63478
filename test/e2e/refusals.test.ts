// STRICT mTLS at the edges of the running mesh: a plaintext client and a client whose certificate
// chains to a foreign root are refused by a sidecar and (through the gateway) by the pod behind
// it; the gateway passes bytes it cannot read and keeps serving everyone else.

import { once } from 'node:events'
import type { Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { describe, expect, test, vi } from 'vitest'
import { createMeshPki } from '../../src/ca/index.ts'
import { clusterId, networkId } from '../../src/model/index.ts'
import type { Mesh } from '../../src/runtime/index.ts'
import { callFrom, meshFromExample } from '../helpers/mesh.ts'

const SNI = 'outbound_.5000_._.helloworld.sample.svc.cluster.local'
const HELLO = 'http://helloworld.sample:5000/hello'
const REQUEST = 'GET /hello HTTP/1.1\r\nhost: helloworld.sample:5000\r\n\r\n'

/** Writes `data` and collects whatever comes back until the peer closes the connection. */
async function exchange(socket: Socket, data: string): Promise<string> {
  let received = ''
  socket.on('data', (c: Buffer) => {
    received += c.toString('latin1')
  })
  socket.on('error', () => socket.destroy())
  socket.write(data)
  await once(socket, 'close')
  return received
}

/** A client whose certificate a foreign root signed, but which trusts the mesh root. */
async function foreignClient(mesh: Mesh, address: string, port: number): Promise<string> {
  const foreign = createMeshPki(mesh.spec.ca, [{ name: clusterId('cluster1') }])
  const leaf = foreign.clusters.get(clusterId('cluster1'))?.issueWorkload({
    identity: 'spiffe://cluster.local/ns/sample/sa/sleep' as never,
  })
  const { socket } = await mesh.fabric.dial(
    '10.10.0.250',
    networkId('network1'),
    address,
    port,
    1000,
  )
  const tls = tlsConnect({
    socket,
    servername: SNI,
    ALPNProtocols: ['istio-http/1.1', 'istio', 'http/1.1'],
    cert: leaf?.certChainPem,
    key: leaf?.privateKeyPem,
    ca: mesh.pki.root.certPem,
    checkServerIdentity: () => undefined,
  })
  tls.on('error', () => tls.destroy())
  return exchange(tls as unknown as Socket, REQUEST)
}

describe('refusals', () => {
  test('a sidecar closes a plaintext client and one with a foreign-root certificate, and keeps serving', async () => {
    const mesh = await meshFromExample('two-networks.yaml')
    const v1 = mesh.pod('cluster1/sample/helloworld')
    const ip = v1?.ip ?? ''
    const { socket } = await mesh.fabric.dial('10.10.0.250', networkId('network1'), ip, 5000, 1000)
    expect(await exchange(socket, REQUEST)).not.toContain('HTTP/1.1')
    expect(await foreignClient(mesh, ip, 5000)).not.toContain('HTTP/1.1')
    await vi.waitFor(async () =>
      expect((await v1?.sidecar?.stats())?.['ssl.connection_error']).toBe(2),
    )
    expect((await callFrom(mesh, 'cluster2/sample/sleep', HELLO)).status).toBe(200)
  })

  test('through the gateway, plaintext is closed at the gateway and a foreign root at the pod behind it', async () => {
    const mesh = await meshFromExample('two-networks.yaml')
    const gw = mesh.gateways.find((g) => g.cluster === clusterId('cluster2'))
    const v2 = mesh.pod('cluster2/sample/helloworld')
    const { socket } = await mesh.fabric.dial(
      '10.10.0.250',
      networkId('network1'),
      '192.168.1.247',
      15443,
      1000,
    )
    expect(await exchange(socket, REQUEST)).toBe('')
    expect((await gw?.proxy.stats())?.client_hello_error).toBe(1)

    expect(await foreignClient(mesh, '192.168.1.247', 15443)).not.toContain('HTTP/1.1')
    // The gateway routed the bytes by SNI without reading them; the v2 sidecar refused the client.
    await vi.waitFor(async () =>
      expect((await v2?.sidecar?.stats())?.['ssl.connection_error']).toBe(1),
    )
    const stats = (await gw?.proxy.stats()) ?? {}
    expect(stats[`cluster.${SNI}.upstream_cx_total`]).toBe(1)
    expect(stats.bytes_received).toBeGreaterThan(0)
    expect(Object.keys(stats).some((k) => k.startsWith('ssl.'))).toBe(false)

    expect((await callFrom(mesh, 'cluster1/sample/sleep', HELLO)).status).toBe(200)
  })
})
