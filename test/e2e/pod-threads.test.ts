// Pods run on threads of their own, as they run in processes of their own on Kubernetes: each
// pod's app and proxy on one thread, the mesh hearing from them only by message. The same mesh
// also runs with every pod on the main thread, and records arrive in batches that a flush drains.

import { threadId } from 'node:worker_threads'
import { expect, test, vi } from 'vitest'
import { callFrom, meshFromExample, recordsOf, tally } from '../helpers/mesh.ts'

const HELLO = 'http://helloworld.sample:5000/hello'

test('every pod with a proxy gets a thread of its own, apart from the mesh', async () => {
  const mesh = await meshFromExample('two-networks.yaml')
  const handles = [
    ...mesh.pods.flatMap((p) => (p.sidecar ? [p.sidecar] : [])),
    ...mesh.gateways.map((g) => g.proxy),
  ]
  expect(handles).toHaveLength(6)
  const threads = new Set(handles.map((h) => h.threadId))
  expect(threads.size).toBe(6)
  expect(threads.has(threadId)).toBe(false)
  // The app runs next to its sidecar: it answers from the pod's thread.
  expect(mesh.pod('cluster1/sample/helloworld')?.sidecar?.appPort).toBeGreaterThan(0)
})

test('with podThreads 0 every pod runs on the main thread and the guide still works', async () => {
  const mesh = await meshFromExample('two-networks.yaml', { podThreads: 0 })
  expect(mesh.pods.flatMap((p) => (p.sidecar ? [p.sidecar.threadId] : []))).toEqual([
    threadId,
    threadId,
    threadId,
    threadId,
  ])
  const counts = await tally(mesh, 'cluster1/sample/sleep', HELLO, 40)
  expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
  expect((counts.v1 ?? 0) + (counts.v2 ?? 0)).toBe(40)
})

test('when pods share threads (more pods than threads), each keeps its own proxy and app', async () => {
  const mesh = await meshFromExample('two-networks.yaml', { podThreads: 2 })
  const threads = new Set(mesh.gateways.map((g) => g.proxy.threadId))
  for (const p of mesh.pods) if (p.sidecar) threads.add(p.sidecar.threadId)
  expect(threads.size).toBe(2)
  expect((await callFrom(mesh, 'cluster2/sample/sleep', HELLO)).status).toBe(200)
  const counts = await tally(mesh, 'cluster2/sample/sleep', HELLO, 40)
  expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
})

test('records come from the pod threads in batches; flushRecords hands over every one so far', async () => {
  const mesh = await meshFromExample('two-networks.yaml')
  const records = recordsOf(mesh)
  const sleep = mesh.pod('cluster1/sample/sleep')
  const port = sleep?.sidecar?.capturePort
  // Plain requests without the helper (which flushes after each): nothing is forced out.
  const { request } = await import('node:http')
  for (let i = 0; i < 10; i++) {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: HELLO, agent: false }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end()
    })
  }
  await mesh.flushRecords()
  const outbound = records.filter((r) => r.direction === 'outbound' && r.proxy === sleep?.name)
  const inbound = records.filter((r) => r.direction === 'inbound')
  expect(outbound).toHaveLength(10)
  expect(inbound).toHaveLength(10)
  expect(new Set(inbound.map((r) => r.requestId))).toEqual(
    new Set(outbound.map((r) => r.requestId)),
  )
})

test('a pod thread that dies takes only its pod: the control plane stops waiting for it, other pods keep serving', async () => {
  const mesh = await meshFromExample('two-networks.yaml', { connectTimeoutMs: 200 })
  const gw2 = mesh.gateways.find((g) => g.cluster === 'cluster2')
  if (!gw2) throw new Error('no gateway in cluster2')
  await gw2.proxy.crashThreadForTest()
  await vi.waitFor(() => expect(gw2.proxy.running).toBe(false))
  await expect(gw2.proxy.stats()).rejects.toThrow(/pod thread exited/)
  // A push after the crash settles without the dead proxy's ACK.
  for (const c of mesh.clusters.values()) c.controlPlane?.flush()
  await mesh.settled()
  // cluster1 reaches v2 only through that gateway: Istio's retry lands those requests on v1.
  expect(await tally(mesh, 'cluster1/sample/sleep', HELLO, 20)).toEqual({ v1: 20 })
  const counts = await tally(mesh, 'cluster2/sample/sleep', HELLO, 40)
  expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
})
