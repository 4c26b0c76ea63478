// Secrets as istiod reads them (its secret controller): only those in istio-system labelled
// istio/multiCluster=true count, each data key naming a remote cluster whose value is the
// kubeconfig istiod uses to watch it. A kubeconfig istiod cannot use is reported, not refused:
// kubectl stores any Secret, and istiod starts anyway (Istio's TestBadRemoteSecret).

import { parse } from 'yaml'
import {
  MULTICLUSTER_SECRET_LABEL,
  type ObjectMeta,
  type RemoteClusterAccess,
  type Secret,
} from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { isLabel } from './hosts.ts'
import type { Report } from './report.ts'
import type { SecretInput } from './schema-kube.ts'

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The Secret's values as text: data decoded, then stringData over it (as the API server does). */
function values(s: SecretInput): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString()
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v
  return out
}

/** The API server of the kubeconfig's current context, or why there is none. */
function serverOf(kubeconfig: string): { server: string } | { problem: string } {
  let doc: unknown
  try {
    doc = parse(kubeconfig, { maxAliasCount: 10 })
  } catch (err) {
    return { problem: `the kubeconfig is not YAML: ${(err as Error).message.split('\n')[0]}` }
  }
  const cfg = doc as {
    'current-context'?: unknown
    contexts?: { name?: unknown; context?: { cluster?: unknown } }[]
    clusters?: { name?: unknown; cluster?: { server?: unknown } }[]
  } | null
  if (typeof cfg !== 'object' || cfg === null || !Array.isArray(cfg.clusters))
    return { problem: 'the kubeconfig has no clusters' }
  const context = Array.isArray(cfg.contexts)
    ? cfg.contexts.find((c) => c?.name === cfg['current-context'])?.context?.cluster
    : undefined
  const cluster = cfg.clusters.find((c) => c?.name === context) ?? cfg.clusters[0]
  const server = cluster?.cluster?.server
  if (typeof server !== 'string' || server === '')
    return { problem: 'the kubeconfig names no server' }
  return { server }
}

export function checkSecret(s: SecretInput, ns: string, r: Report): void {
  for (const [k, v] of Object.entries(s.data ?? {})) {
    if (!BASE64.test(v) || v.length % 4 !== 0)
      r.error(ProblemCode.BadValue, ['data', k], `data.${k} is not base64 (illegal base64 data)`)
  }
  const remote = s.metadata.labels?.[MULTICLUSTER_SECRET_LABEL] === 'true'
  if (remote && ns !== 'istio-system')
    r.warn(
      ProblemCode.Ignored,
      ['metadata', 'namespace'],
      'istiod reads remote secrets only from its own namespace, istio-system; this one is ignored',
    )
  if (remote && Object.keys(values(s)).length === 0)
    r.warn(ProblemCode.Ignored, ['metadata', 'labels'], 'this remote secret holds no kubeconfig')
  for (const [k] of Object.entries(values(s))) {
    if (remote && !isLabel(k))
      r.error(
        ProblemCode.BadValue,
        [s.stringData?.[k] !== undefined ? 'stringData' : 'data', k],
        `the key "${k}" must be the remote's cluster name (a DNS label)`,
        'key',
      )
  }
  if (remote) {
    for (const [k, v] of Object.entries(values(s))) {
      const where = s.stringData?.[k] !== undefined ? 'stringData' : 'data'
      const found = serverOf(v)
      if ('problem' in found)
        r.warn(
          ProblemCode.Ignored,
          [where, k],
          `istiod cannot use the kubeconfig for ${k}: ${found.problem}`,
        )
    }
  }
}

export function toSecret(s: SecretInput, metadata: ObjectMeta): Secret {
  const remote =
    metadata.namespace === 'istio-system' &&
    s.metadata.labels?.[MULTICLUSTER_SECRET_LABEL] === 'true'
  const remoteClusters: RemoteClusterAccess[] = remote
    ? Object.entries(values(s)).map(([cluster, kubeconfig]) => ({
        cluster,
        ...serverOf(kubeconfig),
      }))
    : []
  return { kind: 'Secret', metadata, remoteClusters }
}
