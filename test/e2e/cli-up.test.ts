// `meshsim up` as a user runs it: a real process serving the mesh, found by `exec` and `curl`
// through the run file, a real curl sending traffic from a pod, real dig asking the cluster DNS,
// and a clean shutdown on SIGINT.

import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'meshsim-up-'))
const env = { ...process.env, NO_COLOR: '1', MESHSIM_RUN_FILE: join(dir, 'run.json') }
const onPath = (tool: string) =>
  (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, tool)))

async function meshsim(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/cli/main.ts', ...args], { env })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** Runs meshsim with `input` on its standard input. */
async function meshsimWithInput(
  input: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  child.stdin.end(input)
  const [code] = (await once(child, 'close')) as [number]
  return { code, stdout, stderr }
}

let up: ChildProcess
let output = ''

beforeAll(async () => {
  up = spawn(
    process.execPath,
    ['src/cli/main.ts', 'up', 'examples/two-networks.yaml', '--admin', '127.0.0.1:0'],
    {
      env,
    },
  )
  up.stdout?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  up.stderr?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  await vi.waitFor(() => expect(output).toContain('press Ctrl-C to stop'), {
    timeout: 15_000,
    interval: 20,
  })
})

afterAll(() => {
  if (up.exitCode === null) up.kill('SIGKILL')
})

describe('meshsim up', () => {
  test('prints clusters, gateways with their addresses, DNS ports and the admin URL', () => {
    expect(output).toMatch(
      /cluster cluster1 {2}network network1 {2}primary .* dns 127\.0\.0\.1:\d+/,
    )
    expect(output).toContain('gateway network2  192.168.1.247:15443')
    expect(output).toContain('pods run on 6 threads')
    expect(output).toMatch(/admin http:\/\/127\.0\.0\.1:\d+/)
    expect(existsSync(env.MESHSIM_RUN_FILE)).toBe(true)
  })

  test.skipIf(!onPath('curl'))(
    'a real curl run with meshsim exec reaches both versions from cluster1',
    async () => {
      const loop = 'for i in $(seq 200); do curl -s helloworld.sample:5000/hello; done'
      const r = await meshsim('exec', 'cluster1/sample/sleep', '--', 'sh', '-c', loop)
      expect(r.code).toBe(0)
      const lines = r.stdout.trim().split('\n')
      expect(lines).toHaveLength(200)
      const v1 = lines.filter((l) =>
        l.startsWith('Hello version: v1, instance: helloworld-v1-'),
      ).length
      const v2 = lines.filter((l) =>
        l.startsWith('Hello version: v2, instance: helloworld-v2-'),
      ).length
      expect(v1 + v2).toBe(200)
      expect(v1).toBeGreaterThanOrEqual(70)
      expect(v2).toBeGreaterThanOrEqual(70)
    },
  )

  test.skipIf(!onPath('curl'))(
    'curl through SOCKS5 and CONNECT leaves from the pod as well',
    async () => {
      const script =
        'curl -s -x "$ALL_PROXY" helloworld.sample:5000/hello && curl -s -p helloworld.sample:5000/hello'
      const r = await meshsim('exec', 'cluster2/sample/sleep', '--', 'sh', '-c', script)
      expect(r.stdout).toMatch(/^Hello version: v[12].*\nHello version: v[12]/)
    },
  )

  test('meshsim curl sends -n requests from a pod and tallies the versions', async () => {
    const r = await meshsim(
      'curl',
      '--from',
      'cluster2/sample/sleep',
      'http://helloworld.sample:5000/hello',
      '-n',
      '20',
    )
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(20)
    expect(r.stderr).toMatch(/^20 requests from sleep-\S+: 200 v[12] x\d+, 200 v[12] x\d+\n$/)
  })

  test('each request appears in the up output as access-log lines', async () => {
    await meshsim(
      'curl',
      '--from',
      'cluster1/sample/sleep',
      'http://helloworld.sample:5000/hello?probe=1',
    )
    await vi.waitFor(
      () => expect(output).toMatch(/"GET \/hello\?probe=1 HTTP\/1\.1" 200 - via_upstream/),
      {
        interval: 20,
      },
    )
  })

  test('an unknown pod is a usage error naming the expected form', async () => {
    const r = await meshsim('exec', 'cluster1/sample/nothere', '--', 'true')
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('CLUSTER/NAMESPACE/NAME')
  })

  test('a --pod-threads that is not a count is a usage error', async () => {
    const r = await meshsim('up', 'examples/two-networks.yaml', '--pod-threads', '-1')
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('--pod-threads')
  })

  test.skipIf(!onPath('dig'))(
    'dig against the printed DNS port answers the ClusterIP, NXDOMAIN otherwise',
    async () => {
      const port = /cluster cluster1 .* dns 127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? ''
      const dig = (name: string) =>
        run('dig', ['@127.0.0.1', '-p', port, '+tries=1', '+time=2', name]).then((r) => r.stdout)
      const known = await dig('helloworld.sample.svc.cluster.local')
      expect(known).toMatch(/status: NOERROR/)
      expect(known).toMatch(
        /helloworld\.sample\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.100\.\d+\.\d+/,
      )
      expect(await dig('nothere.sample.svc.cluster.local')).toMatch(/status: NXDOMAIN/)
    },
  )

  test('meshsim apply -f - --context routes the cluster, re-apply is unchanged, delete undoes it', async () => {
    const resources = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: helloworld, namespace: sample}
spec:
  host: helloworld.sample.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: helloworld, namespace: sample}
spec:
  hosts: [helloworld.sample.svc.cluster.local]
  http:
  - route:
    - destination: {host: helloworld.sample.svc.cluster.local, subset: v1}
`
    const applied = await meshsimWithInput(resources, 'apply', '-f', '-', '--context', 'cluster1')
    expect(applied).toMatchObject({ code: 0, stderr: '' })
    expect(applied.stdout).toBe(
      'destinationrule.networking.istio.io/helloworld created\nvirtualservice.networking.istio.io/helloworld created\n',
    )
    const curl = await meshsim(
      'curl',
      '--from',
      'cluster1/sample/sleep',
      'http://helloworld.sample:5000/hello',
      '-n',
      '10',
    )
    expect(curl.stderr).toMatch(/10 requests from sleep-\S+: 200 v1 x10\n/)
    const again = await meshsimWithInput(resources, 'apply', '-f', '-', '--context', 'cluster1')
    expect(again.stdout).toContain('virtualservice.networking.istio.io/helloworld unchanged')
    const deleted = await meshsimWithInput(resources, 'delete', '-f', '-', '--context', 'cluster1')
    expect(deleted.stdout).toContain('virtualservice.networking.istio.io/helloworld deleted')
    const gone = await meshsimWithInput(resources, 'delete', '-f', '-', '--context', 'cluster1')
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain(
      'Error from server (NotFound): virtualservice.networking.istio.io/helloworld not found',
    )
  })

  test('meshsim apply reports every problem at FILE:LINE:COL, applies nothing and exits 65', async () => {
    const bad = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: broken, namespace: sample}
spec:
  hosts: [helloworld]
  http:
  - route:
    - destination: {subset: v1}
`
    const r = await meshsimWithInput(bad, 'apply', '-f', '-', '--context', 'cluster1')
    expect(r.code).toBe(65)
    expect(r.stderr).toMatch(/^-:8:\d+: /m)
    expect(r.stderr).toContain('nothing was applied')
  })

  test('meshsim apply needs --context naming a cluster of the mesh', async () => {
    const none = await meshsimWithInput('', 'apply', '-f', '-')
    expect(none.code).toBe(64)
    expect(none.stderr).toContain('--context')
    const unknown = await meshsimWithInput('', 'apply', '-f', '-', '--context', 'cluster9')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('cluster1, cluster2')
  })

  test('SIGINT, even twice as npx forwards it, shuts the mesh down cleanly, exits 0 and removes the run file', async () => {
    up.kill('SIGINT')
    // The run file goes first in the teardown: a second SIGINT then arrives mid-shutdown.
    await vi.waitFor(() => expect(existsSync(env.MESHSIM_RUN_FILE)).toBe(false), { interval: 1 })
    up.kill('SIGINT')
    const [code] = await once(up, 'exit')
    expect(code).toBe(0)
    expect(output).toContain('mesh stopped')
    expect(existsSync(env.MESHSIM_RUN_FILE)).toBe(false)
    const r = await meshsim(
      'curl',
      '--from',
      'cluster1/sample/sleep',
      'helloworld.sample:5000/hello',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('meshsim up examples/two-networks.yaml')
  })
})
