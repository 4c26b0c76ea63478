// Requests per second and p50/p99 latency of the data path, with autocannon in a separate
// process (outside the mesh's event loop): direct to the app; same network through two sidecars;
// cross-network through sidecar, east-west gateway, sidecar; and byte pipes over the same hops.
// Every pod (and every pipe hop) runs on a thread of its own. Ratios are against the direct run
// measured in the same session; new connections during the steady run count TLS handshakes.

import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { parseTopology } from '../src/config/index.ts'
import { clusterId, namespace, serviceAccount, trustDomain } from '../src/model/index.ts'
import { type Mesh, startMesh } from '../src/runtime/index.ts'
import { startPipeChain } from './pipe-chain.ts'

const run = promisify(execFile)
const CONNECTIONS = 16
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
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

async function measure(mesh: Mesh, url: string, host?: string) {
  await load(url, host, 1) // warm-up: pools, JIT
  const dials = mesh.fabric.stats.dials
  const r = await load(url, host, SECONDS)
  return { ...r, newConnections: mesh.fabric.stats.dials - dials }
}

type Row = Result & { newConnections: number }

const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

export default async function dataPathBench(): Promise<void> {
  // Two meshes up at once: helloworld v1 only (no remote secret) for the direct and same-network
  // paths, v2 only for the cross-network path. Rounds interleave the paths, so a noisy neighbour
  // slows all three alike; the table reports each path's median round.
  await using local = await startMesh(spec('v1'), {
    withoutRemoteSecrets: [[clusterId('cluster1'), clusterId('cluster2')]],
  })
  await using remote = await startMesh(spec('v2'))
  const app = local.pod('cluster1/sample/helloworld')
  const sleep = local.pod('cluster1/sample/sleep')
  const remoteSleep = remote.pod('cluster1/sample/sleep')
  const host = 'helloworld.sample:5000'
  const authority = local.pki.clusters.get(clusterId('cluster1'))
  if (!app?.sidecar?.appPort || !authority)
    throw new Error('helloworld or the cluster CA is missing')
  const secret = authority.issueWorkload({
    identity: {
      trustDomain: trustDomain('cluster.local'),
      namespace: namespace('sample'),
      serviceAccount: serviceAccount('sleep'),
    },
  })
  const pipes = await startPipeChain(app.sidecar.appPort, secret)
  const httpHops = await startPipeChain(app.sidecar.appPort, secret, { http: true })
  const paths = [
    {
      label: 'direct to the app',
      run: () => measure(local, `http://127.0.0.1:${app?.sidecar?.appPort}/hello`),
    },
    {
      label: 'same network, 2 sidecars',
      run: () => measure(local, `http://127.0.0.1:${sleep?.sidecar?.capturePort}/hello`, host),
    },
    {
      label: 'cross network, sidecar+gw+sidecar',
      run: () =>
        measure(remote, `http://127.0.0.1:${remoteSleep?.sidecar?.capturePort}/hello`, host),
    },
    {
      label: 'byte pipes, same hops (ceiling)',
      run: () => measure(local, `http://127.0.0.1:${pipes.port}/hello`),
    },
    {
      label: 'minimal HTTP hops, same hops',
      run: () => measure(local, `http://127.0.0.1:${httpHops.port}/hello`, host),
    },
  ]
  const rounds: Row[][] = paths.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, p] of paths.entries()) rounds[i]?.push(await p.run())
  }
  const rows = paths.map((p, i) => {
    const rs = rounds[i] ?? []
    return {
      label: p.label,
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      newConnections: rs.reduce((n, r) => n + r.newConnections, 0),
    }
  })
  await pipes.close()
  await httpHops.close()
  const [direct, same, cross, ceiling, minimal] = rows
  console.log(
    `\nData path: helloworld /hello, autocannon -c ${CONNECTIONS} -d ${SECONDS} in its own process, median of ${ROUNDS} interleaved rounds`,
  )
  console.log(
    '  path                                 req/s   p50 ms  p99 ms  × direct  errors  new conns',
  )
  for (const r of rows) {
    console.log(
      `  ${r.label.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${(r.rps / (direct?.rps ?? 1)).toFixed(2).padStart(8)}x ${String(r.errors).padStart(7)} ${String(r.newConnections).padStart(10)}`,
    )
  }
  /** `f` of each round's rows (direct, same, cross, pipes, minimal HTTP). */
  const perRound = (f: (r: readonly Row[]) => number) =>
    rounds[0]?.map((_, k) => f(rounds.map((path) => path[k] as Row))) ?? []
  const span = (xs: number[], digits: number, scale = 1) =>
    `rounds: ${xs.map((x) => (x * scale).toFixed(digits)).join(', ')}`
  const ratio = (a: number, b: number) => (r: readonly Row[]) => (r[a]?.rps ?? 0) / (r[b]?.rps ?? 1)
  if (direct && same && cross) {
    const hops = perRound((r) => 1 - ratio(2, 1)(r))
    console.log(
      `  gateway hop costs ${((1 - cross.rps / same.rps) * 100).toFixed(1)}% of the same-network rate (floor: at most 15%; ${span(hops, 1, 100)})`,
    )
    console.log(
      `  cross network reaches ${(cross.rps / direct.rps).toFixed(2)}x direct (floor: at least 0.20x; ${span(perRound(ratio(2, 0)), 2)})`,
    )
    for (const [row, i, what] of [
      [ceiling, 3, 'byte pipes'],
      [minimal, 4, 'minimal HTTP hops'],
    ] as const) {
      if (!row) continue
      console.log(
        `  ${what} over the same hops reach ${(row.rps / direct.rps).toFixed(2)}x direct; cross network reaches ${(cross.rps / row.rps).toFixed(2)}x of them (${span(perRound(ratio(2, i)), 2)})`,
      )
    }
  }
}
