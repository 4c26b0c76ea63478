// `meshsim rollout restart deployment/istiod -n istio-system --context C` (kubectl's shape) and
// `meshsim install --context C --set values.global.remotePilotAddress=IP` (istioctl's shape, for
// re-pointing a remote cluster at its control plane) on the running mesh.

import { ExitCode, type Io } from '../io.ts'
import { adminUrl, MeshUnreachable, postJson } from '../mesh-client.ts'

export interface TargetOptions {
  readonly context?: string
  readonly admin?: string
}

type Answer<T> = T | { readonly error: string }

async function call<T>(
  name: string,
  opts: TargetOptions,
  path: string,
  body: unknown,
  io: Io,
): Promise<T | number> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`meshsim ${name}: ${message}\n`)
    return code
  }
  if (!opts.context) return fail(ExitCode.Usage, '--context CLUSTER is required')
  try {
    const base = adminUrl(opts.admin)
    const res = await postJson<Answer<T>>(
      base,
      `/api/v1/clusters/${encodeURIComponent(opts.context)}/${path}`,
      body,
    )
    const answer = res.body
    if (typeof answer === 'object' && answer !== null && 'error' in answer) {
      return fail(res.status === 422 ? ExitCode.DataErr : ExitCode.Error, answer.error)
    }
    return answer as T
  } catch (err) {
    if (err instanceof MeshUnreachable) return fail(ExitCode.Error, err.message)
    throw err
  }
}

export async function rolloutRestartCommand(
  resource: string,
  opts: TargetOptions & { readonly namespace?: string },
  io: Io,
): Promise<number> {
  const m = /^(?:deployment|deployments|deploy)(?:\.apps)?\/([a-z0-9-]+)$/.exec(resource)
  if (!m?.[1]) {
    io.stderr.write(
      `meshsim rollout restart: give a Deployment as deployment/NAME, e.g. deployment/istiod (got ${resource})\n`,
    )
    return ExitCode.Usage
  }
  const deployment = m[1]
  const r = await call<{ pod: string; ip: string }>(
    'rollout restart',
    opts,
    'rollout-restart',
    { namespace: opts.namespace ?? 'default', deployment },
    io,
  )
  if (typeof r === 'number') return r
  io.stdout.write(`deployment.apps/${deployment} restarted\n`)
  io.stderr.write(`new pod ${r.pod} at ${r.ip}\n`)
  return ExitCode.Ok
}

export async function installCommand(
  opts: TargetOptions & { readonly set: readonly string[] },
  io: Io,
): Promise<number> {
  const set: Record<string, string> = {}
  for (const kv of opts.set) {
    const i = kv.indexOf('=')
    if (i <= 0) {
      io.stderr.write(`meshsim install: --set takes KEY=VALUE (got ${kv})\n`)
      return ExitCode.Usage
    }
    set[kv.slice(0, i)] = kv.slice(i + 1)
  }
  if (Object.keys(set).length === 0) {
    io.stderr.write('meshsim install: give at least one --set KEY=VALUE\n')
    return ExitCode.Usage
  }
  const r = await call<{ cluster: string; remotePilotAddress: string }>(
    'install',
    opts,
    'install',
    { set },
    io,
  )
  if (typeof r === 'number') return r
  io.stdout.write(`✔ ${r.cluster}: proxies now reach istiod at ${r.remotePilotAddress}\n`)
  return ExitCode.Ok
}

/** `meshsim x create-remote-secret --context C [--name N]`: prints the Secret to apply in a primary. */
export async function createRemoteSecretCommand(
  opts: TargetOptions & { readonly name?: string },
  io: Io,
): Promise<number> {
  if (!opts.context) {
    io.stderr.write('meshsim x create-remote-secret: --context CLUSTER is required (the remote)\n')
    return ExitCode.Usage
  }
  try {
    const base = adminUrl(opts.admin)
    const query = opts.name ? `?name=${encodeURIComponent(opts.name)}` : ''
    let res: Response
    try {
      res = await fetch(
        `${base}/api/v1/clusters/${encodeURIComponent(opts.context)}/remote-secret${query}`,
        { signal: AbortSignal.timeout(5000) },
      )
    } catch {
      throw new MeshUnreachable(`cannot reach the mesh admin API at ${base}`)
    }
    const text = await res.text()
    if (!res.ok) {
      const message = JSON.parse(text) as { error?: string; message?: string }
      io.stderr.write(
        `meshsim x create-remote-secret: ${message.error ?? message.message ?? text}\n`,
      )
      return res.status === 400 ? ExitCode.Usage : ExitCode.Error
    }
    io.stdout.write(text)
    return ExitCode.Ok
  } catch (err) {
    if (err instanceof MeshUnreachable) {
      io.stderr.write(`meshsim x create-remote-secret: ${err.message}\n`)
      return ExitCode.Error
    }
    throw err
  }
}
