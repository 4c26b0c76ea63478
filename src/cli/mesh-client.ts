// How commands reach a running mesh: --admin, then MESHSIM_ADMIN, then the run file. Failures
// say how to start a mesh instead of printing a stack trace.

import { matchesPodRef } from '../model/index.ts'
import { readRunFile, runFilePath } from './run-file.ts'

export class MeshUnreachable extends Error {
  readonly code = 'MESHSIM_MESH_UNREACHABLE'
}

export interface PodInfo {
  readonly cluster: string
  readonly network: string
  readonly namespace: string
  readonly name: string
  readonly app: string
  readonly version?: string
  readonly ip: string
  readonly capturePort?: number
}

const START_HINT = 'start one with `meshsim up examples/two-networks.yaml`, or pass --admin URL'

export function adminUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = flag ?? env.MESHSIM_ADMIN ?? readRunFile(runFilePath(env))?.admin
  if (!raw) throw new MeshUnreachable(`no running mesh found; ${START_HINT}`)
  return /^https?:\/\//.test(raw) ? raw.replace(/\/$/, '') : `http://${raw}`
}

export async function getJson<T>(base: string, path: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) })
  } catch {
    throw new MeshUnreachable(`cannot reach the mesh admin API at ${base}; ${START_HINT}`)
  }
  if (!res.ok) throw new MeshUnreachable(`${base}${path} answered ${res.status}`)
  return (await res.json()) as T
}

/** POSTs JSON; answers with the status and parsed body, whatever the status (4xx carry problems). */
export async function postJson<T>(
  base: string,
  path: string,
  body: unknown,
): Promise<{ readonly status: number; readonly body: T }> {
  let res: Response
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
  } catch {
    throw new MeshUnreachable(`cannot reach the mesh admin API at ${base}; ${START_HINT}`)
  }
  const text = await res.text()
  try {
    return { status: res.status, body: JSON.parse(text) as T }
  } catch {
    throw new MeshUnreachable(`${base}${path} answered ${res.status} without JSON`)
  }
}

/** Finds a pod by `cluster/namespace/name`, where name may be the pod name, its app, or app-version. */
export function findPod(pods: readonly PodInfo[], ref: string): PodInfo | undefined {
  return pods.find((p) => matchesPodRef(p, ref))
}
