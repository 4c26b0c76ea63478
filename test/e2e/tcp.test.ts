// TCP ports are proxied as byte streams: tcp-echo in cluster2, called from cluster1 through the
// capture port's CONNECT, crosses the network over mTLS through cluster2's gateway.

import { once } from 'node:events'
import { connect } from 'node:net'
import { expect, onTestFinished, test, vi } from 'vitest'
import { startMesh } from '../../src/runtime/index.ts'
import { recordsOf } from '../helpers/mesh.ts'
import { load, TWO_NETWORKS } from '../helpers/topologies.ts'

test('tcp-echo in another network answers through CONNECT, logged as TCP at client and gateway', async () => {
  const text = TWO_NETWORKS.replace(
    '        - { app: sleep, namespace: sample, sample: sleep }',
    '        - { app: sleep, namespace: sample, sample: sleep }\n        - { app: tcp-echo, namespace: sample, sample: tcp-echo, replicas: 0 }',
  ).replace(
    '        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }',
    '        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }\n        - { app: tcp-echo, namespace: sample, sample: tcp-echo }',
  )
  const mesh = await startMesh(load(text))
  onTestFinished(() => mesh.close())
  const records = recordsOf(mesh)
  const socket = connect({
    host: '127.0.0.1',
    port: mesh.pod('cluster1/sample/sleep')?.sidecar?.capturePort ?? 0,
  })
  socket.on('error', () => socket.destroy())
  await once(socket, 'connect')
  socket.write('CONNECT tcp-echo.sample:9000 HTTP/1.1\r\nhost: tcp-echo.sample:9000\r\n\r\n')
  let received = ''
  socket.on('data', (c: Buffer) => {
    received += c.toString()
    if (received.includes('Established\r\n\r\n') && !received.includes('hello'))
      socket.write('world\n')
    if (received.endsWith('hello world\n')) socket.end()
  })
  await once(socket, 'close')
  expect(received).toBe('HTTP/1.1 200 Connection Established\r\n\r\nhello world\n')
  // Records are written when both directions of the connection have closed.
  await vi.waitFor(() =>
    expect(records.map((r) => r.direction).sort()).toEqual(['gateway', 'inbound', 'outbound']),
  )
  const out = records.find((r) => r.direction === 'outbound')
  expect(out).toMatchObject({
    responseCode: 0,
    upstreamHost: '192.168.1.247:15443',
    upstreamCluster: 'outbound|9000||tcp-echo.sample.svc.cluster.local',
    bytesReceived: 6,
    bytesSent: 12,
  })
  expect(records.find((r) => r.direction === 'gateway')).toMatchObject({
    requestedServerName: 'outbound_.9000_._.tcp-echo.sample.svc.cluster.local',
  })
})
