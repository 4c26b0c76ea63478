// `meshsim exec POD -- CMD...`: runs a local command as if inside the pod. Its HTTP and SOCKS
// traffic goes out through the pod's sidecar (http_proxy / ALL_PROXY at the capture port).

import { spawn } from 'node:child_process'
import { ExitCode, type Io } from '../io.ts'
import { adminUrl, findPod, getJson, MeshUnreachable, type PodInfo } from '../mesh-client.ts'

export interface ExecOptions {
  readonly admin?: string
}

/** The environment that sends a tool's traffic through the pod's capture port. */
export function podProxyEnv(capturePort: number, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const http = `http://127.0.0.1:${capturePort}`
  const socks = `socks5h://127.0.0.1:${capturePort}`
  const env = { ...base }
  for (const k of ['NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy']) delete env[k]
  return { ...env, http_proxy: http, HTTP_PROXY: http, ALL_PROXY: socks, all_proxy: socks }
}

export async function execCommand(
  pod: string,
  command: readonly string[],
  opts: ExecOptions,
  io: Io,
): Promise<number> {
  const [cmd, ...args] = command[0] === '--' ? command.slice(1) : command
  if (!cmd) {
    io.stderr.write(
      'meshsim exec: give a command after --, e.g. meshsim exec cluster1/sample/sleep -- curl -s helloworld.sample:5000/hello\n',
    )
    return ExitCode.Usage
  }
  let target: PodInfo | undefined
  try {
    const base = adminUrl(opts.admin)
    const { items } = await getJson<{ items: PodInfo[] }>(base, '/api/v1/pods')
    target = findPod(items, pod)
    if (!target) {
      const known = items
        .filter((p) => p.capturePort)
        .map((p) => `${p.cluster}/${p.namespace}/${p.app}`)
      io.stderr.write(
        `meshsim exec: no pod ${pod}; pods are CLUSTER/NAMESPACE/NAME, e.g. ${[...new Set(known)].slice(0, 4).join(', ')}\n`,
      )
      return ExitCode.Usage
    }
  } catch (err) {
    if (err instanceof MeshUnreachable) {
      io.stderr.write(`meshsim exec: ${err.message}\n`)
      return ExitCode.Error
    }
    throw err
  }
  if (!target.capturePort) {
    io.stderr.write(`meshsim exec: ${pod} has no sidecar to send traffic through\n`)
    return ExitCode.Error
  }
  const child = spawn(cmd, args, {
    stdio: ['inherit', 'pipe', 'pipe'],
    env: podProxyEnv(target.capturePort, process.env),
  })
  child.stdout.on('data', (c: Buffer) => io.stdout.write(c))
  child.stderr.on('data', (c: Buffer) => io.stderr.write(c))
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      io.stderr.write(
        `meshsim exec: cannot run ${cmd}: ${err.code === 'ENOENT' ? 'not found on PATH' : err.message}\n`,
      )
      resolve(127)
    })
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + 1 : 1)))
  })
}
