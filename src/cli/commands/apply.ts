// `meshsim apply|delete -f FILE --context CLUSTER [-n NS]`: kubectl's shape for Istio resources
// on a running mesh. Files (or `-` for standard input, or a folder of YAML) go to the admin API,
// which validates them; each resource is reported as kubectl does (`... created`).

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { formatProblem, type Problem } from '../../config/index.ts'
import { ExitCode, type Io } from '../io.ts'
import { adminUrl, MeshUnreachable, postJson } from '../mesh-client.ts'

export interface ApplyOptions {
  readonly filename: readonly string[]
  readonly context?: string
  readonly namespace?: string
  readonly admin?: string
  readonly output: 'text' | 'json'
}

interface Item {
  readonly ref: string
  readonly outcome: string
}

type Answer =
  | { readonly items: readonly Item[]; readonly warnings: readonly Problem[] }
  | { readonly error: string; readonly problems: readonly Problem[] }

const MAX_BYTES = 1024 * 1024

async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of io.stdin ?? process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += b.length
    if (size > MAX_BYTES) throw new Error(`standard input is larger than ${MAX_BYTES} bytes`)
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The documents to send, as (name for messages, text); a folder gives its YAML and JSON files. */
async function sources(files: readonly string[], io: Io): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const f of files) {
    if (f === '-') {
      out.push(['-', await readStdin(io)])
      continue
    }
    const names = statSync(f).isDirectory()
      ? readdirSync(f)
          .filter((n) => /\.(ya?ml|json)$/.test(n))
          .sort()
          .map((n) => join(f, n))
      : [f]
    for (const name of names) out.push([name, readFileSync(name, 'utf8')])
  }
  return out
}

export async function applyCommand(
  action: 'apply' | 'delete',
  opts: ApplyOptions,
  io: Io,
): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`meshsim ${action}: ${message}\n`)
    return code
  }
  if (opts.filename.length === 0)
    return fail(ExitCode.Usage, 'give -f FILE (a YAML file, a folder, or - for standard input)')
  if (!opts.context)
    return fail(
      ExitCode.Usage,
      '--context CLUSTER is required: the cluster to act on, as with kubectl',
    )
  let docs: [string, string][]
  try {
    docs = await sources(opts.filename, io)
  } catch (err) {
    return fail(ExitCode.NoInput, `cannot read: ${(err as Error).message}`)
  }
  let base: string
  try {
    base = adminUrl(opts.admin)
  } catch (err) {
    return fail(ExitCode.Error, (err as Error).message)
  }
  let worst: number = ExitCode.Ok
  const answers: Answer[] = []
  for (const [file, text] of docs) {
    let res: { status: number; body: Answer }
    try {
      res = await postJson<Answer>(
        base,
        `/api/v1/clusters/${encodeURIComponent(opts.context)}/${action}`,
        { text, file, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      )
    } catch (err) {
      if (err instanceof MeshUnreachable) return fail(ExitCode.Error, err.message)
      throw err
    }
    answers.push(res.body)
    if ('error' in res.body) {
      if (opts.output === 'text') {
        for (const p of res.body.problems) io.stderr.write(`${formatProblem(p)}\n`)
        io.stderr.write(`meshsim ${action}: ${res.body.error}\n`)
      }
      worst = Math.max(worst, res.status === 422 ? ExitCode.DataErr : ExitCode.Error)
      continue
    }
    if (opts.output === 'text') {
      for (const w of res.body.warnings) io.stderr.write(`Warning: ${formatProblem(w)}\n`)
      for (const item of res.body.items) {
        if (item.outcome === 'not-found') {
          io.stderr.write(`Error from server (NotFound): ${item.ref} not found\n`)
          worst = Math.max(worst, ExitCode.Error)
        } else io.stdout.write(`${item.ref} ${item.outcome}\n`)
      }
    }
  }
  if (opts.output === 'json') io.stdout.write(`${JSON.stringify(answers, null, 2)}\n`)
  return worst
}
