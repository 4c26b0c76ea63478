// Runs meshsim's CLI in this process against a mesh's admin API, as a user would from a shell.

import { Readable, Writable } from 'node:stream'
import { onTestFinished } from 'vitest'
import { buildAdmin } from '../../src/admin/index.ts'
import { run } from '../../src/cli/program.ts'
import type { Mesh } from '../../src/runtime/index.ts'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Serves the mesh's admin API on 127.0.0.1:0 until the test ends; resolves to its URL. */
export async function adminOf(mesh: Mesh): Promise<string> {
  const admin = buildAdmin(mesh)
  await admin.listen({ host: '127.0.0.1', port: 0 })
  onTestFinished(() => admin.close())
  const address = admin.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

/** `meshsim ARGS...` with `input` on standard input. */
export async function cli(args: readonly string[], input = ''): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        add(String(chunk))
        done()
      },
    })
  const code = await run(args, {
    stdout: sink((s) => {
      stdout += s
    }),
    stderr: sink((s) => {
      stderr += s
    }),
    stdin: Readable.from([input]),
  })
  return { code, stdout, stderr }
}
