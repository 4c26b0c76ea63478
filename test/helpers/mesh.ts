// Helpers for tests that run a whole mesh in-process: start one from an example, and send HTTP
// requests from a pod the way an app in that pod would (through its sidecar's capture port).

import { request } from 'node:http'
import { onTestFinished } from 'vitest'
import { loadTopologyFile } from '../../src/config/index.ts'
import type { AccessRecord } from '../../src/proxy/index.ts'
import { type Mesh, type MeshOptions, startMesh } from '../../src/runtime/index.ts'

export async function meshFromExample(name: string, opts: MeshOptions = {}): Promise<Mesh> {
  const spec = loadTopologyFile(new URL(`../../examples/${name}`, import.meta.url).pathname)
  const mesh = await startMesh(spec, opts)
  onTestFinished(() => mesh.close())
  return mesh
}

export interface Reply {
  readonly status: number
  readonly body: string
}

/**
 * One request from `pod` (CLUSTER/NAMESPACE/APP) as an HTTP-proxy client of its sidecar; resolves
 * once the answer and the access records of the exchange have arrived.
 */
export async function callFrom(
  mesh: Mesh,
  pod: string,
  url: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Reply> {
  const port = mesh.pod(pod)?.sidecar?.capturePort
  if (port === undefined) throw new Error(`no sidecar for ${pod}`)
  const reply = await new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
  await mesh.flushRecords()
  return reply
}

/** Sends `n` sequential requests and tallies the answers by helloworld version (or status). */
export async function tally(
  mesh: Mesh,
  pod: string,
  url: string,
  n: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const r = await callFrom(mesh, pod, url, headers)
    const key =
      r.status === 200 ? (/version: (\w+)/.exec(r.body)?.[1] ?? 'other') : `status ${r.status}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** Collects every access record the mesh emits from now until the test ends. */
export function recordsOf(mesh: Mesh): AccessRecord[] {
  const out: AccessRecord[] = []
  const stop = mesh.records.subscribe((r) => out.push(r))
  onTestFinished(stop)
  return out
}
