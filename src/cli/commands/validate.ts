// `meshsim validate FILE...`: loads each topology and reports every problem as FILE:LINE:COL.

import {
  ConfigError,
  ConfigReadError,
  formatProblem,
  loadTopologyFile,
  type Problem,
} from '../../config/index.ts'
import { ExitCode, type Io } from '../io.ts'
import { checkPkiFiles } from '../pki-check.ts'

export interface ValidateOptions {
  readonly output: 'text' | 'json'
}

interface FileResult {
  readonly file: string
  readonly valid: boolean
  readonly summary?: string
  readonly error?: string
  readonly problems: readonly Problem[]
  /** Accepted, but ignored by Istio or not emulated by meshsim (from inline resources). */
  readonly warnings: readonly Problem[]
}

function check(file: string): FileResult {
  const warnings: Problem[] = []
  try {
    const spec = loadTopologyFile(file, {
      check: checkPkiFiles,
      onWarning: (w) => warnings.push(w),
    })
    const workloads = spec.clusters.reduce((n, c) => n + c.workloads.length, 0)
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
    return {
      file,
      valid: true,
      summary: `${plural(spec.clusters.length, 'cluster')}, ${plural(spec.networks.length, 'network')}, ${plural(workloads, 'workload')}`,
      problems: [],
      warnings,
    }
  } catch (err) {
    if (err instanceof ConfigError) return { file, valid: false, problems: err.problems, warnings }
    if (err instanceof ConfigReadError)
      return { file, valid: false, error: err.message, problems: [], warnings }
    throw err
  }
}

export function validateCommand(files: readonly string[], opts: ValidateOptions, io: Io): number {
  const results = files.map(check)
  if (opts.output === 'json') {
    const doc = { apiVersion: 'meshsim.dev/v1alpha1', kind: 'ValidationReport', files: results }
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
  } else {
    for (const r of results) {
      for (const w of r.warnings) io.stderr.write(`Warning: ${formatProblem(w)}\n`)
      if (r.valid) io.stdout.write(`${r.file}: valid (${r.summary})\n`)
      else if (r.error) io.stderr.write(`${r.error}\n`)
      else {
        for (const p of r.problems) io.stderr.write(`${formatProblem(p)}\n`)
        const n = r.problems.length
        io.stderr.write(`${r.file}: ${n} problem${n === 1 ? '' : 's'}\n`)
      }
    }
  }
  if (results.some((r) => !r.valid && !r.error)) return ExitCode.DataErr
  if (results.some((r) => r.error)) return ExitCode.NoInput
  return ExitCode.Ok
}
