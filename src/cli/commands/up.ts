// `meshsim up FILE`: starts the mesh, serves the admin API, writes the run file, and either opens
// the TUI (on a terminal) or prints a ready summary and then one access-log line per request;
// shuts down cleanly on SIGINT/SIGTERM, or on q / Ctrl-C in the TUI.

import type { FastifyInstance } from 'fastify'
import { buildAdmin } from '../../admin/index.ts'
import {
  ConfigError,
  ConfigReadError,
  formatProblem,
  loadTopologyFile,
} from '../../config/index.ts'
import { formatAccessLog, type Mesh, startMesh } from '../../runtime/index.ts'
import { ExitCode, type Io } from '../io.ts'
import { removeRunFile, runFilePath, writeRunFile } from '../run-file.ts'
import type { MountedTui } from '../tui/run.ts'

export interface UpOptions {
  readonly admin: string
  readonly connectTimeout?: number
  /** Threads for the pods (MeshOptions.podThreads). */
  readonly podThreads?: number
  readonly output: 'text' | 'json'
  /** --tui forces the TUI, --no-tui the line output; by default the TUI only on terminals. */
  readonly tui?: boolean
  /** Resolves when the command should shut down (signals in production, a test's trigger). */
  readonly until?: Promise<unknown>
}

function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(?:([^:]+):)?(\d{1,5})$/.exec(s)
  if (!m) return undefined
  const port = Number(m[2])
  return port <= 65535 ? { host: m[1] ?? '127.0.0.1', port } : undefined
}

/** A first command for this mesh: curl from its first sleep pod to a service it can call. */
function tryLine(mesh: Mesh): string | undefined {
  const sleep = mesh.pods.find((p) => p.app === 'sleep' && p.sidecar)
  if (!sleep) return undefined
  const target =
    mesh.pods.find((p) => p.app === 'helloworld' && p.namespace === sleep.namespace) ??
    mesh.pods.find((p) => p.app === 'helloworld')
  const url = target
    ? `helloworld.${target.namespace}:5000/hello`
    : `httpbin.${sleep.namespace}:8000/headers`
  return `meshsim exec ${sleep.cluster}/${sleep.namespace}/sleep -- curl -s ${url}`
}

function summary(mesh: Mesh, admin: string): string {
  const lines = [`mesh ${mesh.spec.name} is ready`]
  for (const c of mesh.clusters.values()) {
    const pods = mesh.pods.filter((p) => p.cluster === c.spec.name && p.sidecar).length
    const cp =
      c.spec.controlPlane.mode === 'primary'
        ? 'primary'
        : `remote of ${c.spec.controlPlane.primary}`
    lines.push(
      `  cluster ${c.spec.name}  network ${c.spec.network}  ${cp}  ${pods} pods  dns 127.0.0.1:${c.dns.udp.port}`,
    )
  }
  for (const g of mesh.gateways) {
    lines.push(
      `  gateway ${g.network}  ${g.address}:${g.port}  (${g.cluster}/istio-system/${g.pod.name})`,
    )
  }
  const threads = new Set([
    ...mesh.pods.flatMap((p) => (p.sidecar ? [p.sidecar.threadId] : [])),
    ...mesh.gateways.map((g) => g.proxy.threadId),
  ])
  lines.push(
    threads.has(0)
      ? '  pods run on the main thread'
      : `  pods run on ${threads.size} threads (--pod-threads to change)`,
  )
  lines.push(`  admin ${admin}`)
  const hint = tryLine(mesh)
  if (hint) lines.push(`try: ${hint}`)
  lines.push('press Ctrl-C to stop')
  return `${lines.join('\n')}\n`
}

export async function upCommand(file: string, opts: UpOptions, io: Io): Promise<number> {
  const listen = parseHostPort(opts.admin)
  if (!listen) {
    io.stderr.write(
      `meshsim up: --admin must be HOST:PORT or PORT, got ${JSON.stringify(opts.admin)}\n`,
    )
    return ExitCode.Usage
  }
  let spec: ReturnType<typeof loadTopologyFile>
  try {
    spec = loadTopologyFile(file, {
      onWarning: (w) => io.stderr.write(`Warning: ${formatProblem(w)}\n`),
    })
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`)
      return ExitCode.DataErr
    }
    if (err instanceof ConfigReadError) {
      io.stderr.write(`${err.message}\n`)
      return ExitCode.NoInput
    }
    throw err
  }
  const mesh = await startMesh(spec, {
    ...(opts.connectTimeout !== undefined ? { connectTimeoutMs: opts.connectTimeout } : {}),
    ...(opts.podThreads !== undefined ? { podThreads: opts.podThreads } : {}),
  })
  let admin: FastifyInstance | undefined
  try {
    admin = buildAdmin(mesh)
    await admin.listen({ host: listen.host, port: listen.port })
  } catch (err) {
    await admin?.close()
    await mesh.close()
    const code = (err as { code?: string }).code
    io.stderr.write(
      code === 'EADDRINUSE'
        ? `meshsim up: ${opts.admin} is in use (another mesh running?); use --admin 127.0.0.1:0 for any free port\n`
        : `meshsim up: cannot listen on ${opts.admin}: ${(err as Error).message}\n`,
    )
    return ExitCode.Error
  }
  const address = admin.server.address()
  const url =
    address && typeof address === 'object' ? `http://${listen.host}:${address.port}` : opts.admin
  const runFile = runFilePath()
  writeRunFile(runFile, {
    admin: url,
    pid: process.pid,
    topology: file,
    startedAt: new Date().toISOString(),
  })
  // React picks its build when first imported, here: the development build's per-render
  // profiling costs the mesh p99 under load (docs/benchmarks.md), so production unless told.
  process.env.NODE_ENV ??= 'production'
  const { wantsTui, mountTui } = await import('../tui/run.ts')
  const useTui = wantsTui({
    ...(opts.tui !== undefined ? { flag: opts.tui } : {}),
    output: opts.output,
    stdinTTY: process.stdin.isTTY === true,
    stdoutTTY: process.stdout.isTTY === true,
    env: process.env,
  })
  let tui: MountedTui | undefined
  let unsubscribe = () => {}
  if (useTui) {
    // Ink owns the terminal from here: nothing else writes to stdout until it unmounts.
    const { meshSource } = await import('../tui/source.ts')
    tui = mountTui(meshSource(mesh), process.env)
  } else {
    if (opts.output === 'json') {
      io.stdout.write(`${JSON.stringify({ event: 'ready', admin: url, mesh: spec.name })}\n`)
    } else {
      io.stdout.write(summary(mesh, url))
    }
    unsubscribe = mesh.records.subscribe((r) => {
      io.stdout.write(opts.output === 'json' ? `${JSON.stringify(r)}\n` : `${formatAccessLog(r)}\n`)
    })
  }
  // Handlers stay installed until shutdown ends: Ctrl-C under npx delivers SIGINT twice (the
  // terminal's and npx's forwarded copy), and a second one must not kill the teardown.
  let onSignal = () => {}
  const signalled = new Promise<void>((resolve) => {
    onSignal = () => resolve()
  })
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await Promise.race([opts.until ?? signalled, ...(tui ? [tui.quit] : [])])
  unsubscribe()
  tui?.unmount()
  removeRunFile(runFile, process.pid)
  await admin.close()
  await mesh.close()
  // Driven by signals, the process ends right after this: a late second SIGINT (npx's copy)
  // must still find a handler rather than kill it with status 130.
  if (opts.until !== undefined) {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  if (opts.output === 'text') io.stderr.write('mesh stopped\n')
  return ExitCode.Ok
}
