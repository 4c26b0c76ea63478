// `meshsim curl --from POD URL [-n N]`: sends requests from a pod through its sidecar (a built-in
// curl for when none is installed), prints each body, and with -n a tally of the answers.

import { request } from 'node:http'
import { ExitCode, type Io } from '../io.ts'
import { adminUrl, findPod, getJson, MeshUnreachable, type PodInfo } from '../mesh-client.ts'

export interface CurlOptions {
  readonly from: string
  readonly count: number
  readonly method: string
  readonly header: readonly string[]
  readonly admin?: string
  readonly output: 'text' | 'json'
}

interface Reply {
  readonly status: number
  readonly body: string
}

function send(capturePort: number, url: URL, opts: CurlOptions): Promise<Reply> {
  const headers: Record<string, string> = { host: url.host, 'user-agent': 'meshsim-curl' }
  for (const h of opts.header) {
    const i = h.indexOf(':')
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim()
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: capturePort,
        method: opts.method,
        path: url.href,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

export async function curlCommand(target: string, opts: CurlOptions, io: Io): Promise<number> {
  let url: URL
  try {
    url = new URL(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`)
  } catch {
    io.stderr.write(`meshsim curl: not a URL: ${target}\n`)
    return ExitCode.Usage
  }
  if (url.protocol !== 'http:') {
    io.stderr.write('meshsim curl: only http:// URLs (the sidecar originates mTLS for you)\n')
    return ExitCode.Usage
  }
  let pod: PodInfo | undefined
  try {
    const { items } = await getJson<{ items: PodInfo[] }>(adminUrl(opts.admin), '/api/v1/pods')
    pod = findPod(items, opts.from)
  } catch (err) {
    if (err instanceof MeshUnreachable) {
      io.stderr.write(`meshsim curl: ${err.message}\n`)
      return ExitCode.Error
    }
    throw err
  }
  if (!pod?.capturePort) {
    io.stderr.write(
      `meshsim curl: no pod with a sidecar at ${opts.from} (CLUSTER/NAMESPACE/NAME)\n`,
    )
    return ExitCode.Usage
  }
  const tally = new Map<string, number>()
  let failures = 0
  for (let i = 0; i < opts.count; i++) {
    let reply: Reply
    try {
      reply = await send(pod.capturePort, url, opts)
    } catch (err) {
      io.stderr.write(`meshsim curl: ${(err as Error).message}\n`)
      return ExitCode.Error
    }
    if (reply.status >= 400) failures++
    if (opts.output === 'json') io.stdout.write(`${JSON.stringify(reply)}\n`)
    else io.stdout.write(reply.body.endsWith('\n') ? reply.body : `${reply.body}\n`)
    const key = `${reply.status} ${/version: (\S+?),/.exec(reply.body)?.[1] ?? ''}`.trim()
    tally.set(key, (tally.get(key) ?? 0) + 1)
  }
  if (opts.count > 1 && opts.output === 'text') {
    const parts = [...tally].map(([k, n]) => `${k} x${n}`)
    io.stderr.write(`${opts.count} requests from ${pod.name}: ${parts.join(', ')}\n`)
  }
  return failures > 0 ? ExitCode.Error : ExitCode.Ok
}
