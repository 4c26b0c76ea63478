// Requests per second and p50/p99 latency of the data path, with autocannon in a separate
// process (outside the mesh's event loop): direct to the app; same network through two sidecars;
// cross-network through sidecar, east-west gateway, sidecar. Ratios are against the direct run
// measured in the same session; new connections during the steady run count TLS handshakes.

import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { parseTopology } from '../src/config/index.ts'
import { clusterId } from '../src/model/index.ts'
import { type Mesh, startMesh } from '../src/runtime/index.ts'

const run = promisify(execFile)
const CONNECTIONS = 16
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')

interface Result {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly non2xx: number
}

async function load(url: string, host: string | undefined, seconds: number): Promise<Result> {
  const args = [autocannonBin, '-j', '-c', String(CONNECTIONS), '-d', String(seconds)]
  if (host) args.push('-H', `host=${host}`)
  const { stdout } = await run(process.execPath, [...args, url], { maxBuffer: 1 << 24 })
  const r = JSON.parse(stdout) as {
    requests: { average: number }
    latency: { p50: number; p99: number }
    errors: number
    non2xx: number
  }
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  }
}

/** two-networks.yaml with helloworld only where `keep` says, so every call takes one path. */
function spec(keep: 'v1' | 'v2') {
  const file = new URL('../examples/two-networks.yaml', import.meta.url).pathname
  const text = readFileSync(file, 'utf8')
  // Replica counts of the v1 (first) and v2 (second) helloworld Deployments.
  let n = 0
  const edited = text.replace(/replicas: 1/g, (m) => {
    n++
    return (n === 1 && keep === 'v2') || (n === 2 && keep === 'v1') ? 'replicas: 0' : m
  })
  return parseTopology(edited, { file, baseDir: '/' })
}

async function measure(mesh: Mesh, label: string, url: string, host?: string) {
  await load(url, host, 1) // warm-up: pools, JIT
  const dials = mesh.fabric.stats.dials
  const r = await load(url, host, SECONDS)
  return { label, ...r, newConnections: mesh.fabric.stats.dials - dials }
}

export default async function dataPathBench(): Promise<void> {
  const rows: (Result & { label: string; newConnections: number })[] = []
  {
    await using mesh = await startMesh(spec('v1'), {
      withoutRemoteSecrets: [[clusterId('cluster1'), clusterId('cluster2')]],
    })
    const app = mesh.pod('cluster1/sample/helloworld')
    const sleep = mesh.pod('cluster1/sample/sleep')
    rows.push(await measure(mesh, 'direct to the app', `http://127.0.0.1:${app?.appPort}/hello`))
    rows.push(
      await measure(
        mesh,
        'same network, 2 sidecars',
        `http://127.0.0.1:${sleep?.sidecar?.capturePort}/hello`,
        'helloworld.sample:5000',
      ),
    )
  }
  {
    await using mesh = await startMesh(spec('v2'))
    const sleep = mesh.pod('cluster1/sample/sleep')
    rows.push(
      await measure(
        mesh,
        'cross network, sidecar+gw+sidecar',
        `http://127.0.0.1:${sleep?.sidecar?.capturePort}/hello`,
        'helloworld.sample:5000',
      ),
    )
  }
  const [direct, same, cross] = rows
  console.log(
    `\nData path: helloworld /hello, autocannon -c ${CONNECTIONS} -d ${SECONDS} in its own process`,
  )
  console.log(
    '  path                                 req/s   p50 ms  p99 ms  × direct  errors  new conns',
  )
  for (const r of rows) {
    console.log(
      `  ${r.label.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${(r.rps / (direct?.rps ?? 1)).toFixed(2).padStart(8)}x ${String(r.errors + r.non2xx).padStart(7)} ${String(r.newConnections).padStart(10)}`,
    )
  }
  if (same && cross) {
    const hop = 1 - cross.rps / same.rps
    console.log(
      `  gateway hop costs ${(hop * 100).toFixed(1)}% of the same-network rate (floor: at most 15%)`,
    )
    console.log(
      `  cross network reaches ${(cross.rps / (direct?.rps ?? 1)).toFixed(2)}x direct (floor: at least 0.20x)`,
    )
  }
}
