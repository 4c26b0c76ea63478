// The run file `meshsim up` writes so other commands find the running mesh: its admin URL and
// pid. Located by MESHSIM_RUN_FILE, else $XDG_RUNTIME_DIR/meshsim/run.json, else the temp dir.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'

export interface RunFile {
  readonly admin: string
  readonly pid: number
  readonly topology: string
  readonly startedAt: string
}

export function runFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MESHSIM_RUN_FILE) return env.MESHSIM_RUN_FILE
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'meshsim', 'run.json')
  return join(tmpdir(), `meshsim-${userInfo().uid}`, 'run.json')
}

export function writeRunFile(path: string, run: RunFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 })
}

export function readRunFile(path: string): RunFile | undefined {
  try {
    const run = JSON.parse(readFileSync(path, 'utf8')) as RunFile
    return typeof run.admin === 'string' ? run : undefined
  } catch {
    return undefined
  }
}

/** Removes the run file if it is still ours (a newer `up` may have replaced it). */
export function removeRunFile(path: string, pid: number): void {
  if (readRunFile(path)?.pid === pid) rmSync(path, { force: true })
}
