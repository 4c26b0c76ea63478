// Applying and deleting Istio manifests (YAML text, as `kubectl apply|delete -f` sends them) on
// a running mesh: parse and validate once, then act on one cluster's config only if every
// document is valid, and answer per resource in kubectl's words.

import { type Problem, ProblemCode, parseResources } from '../config/index.ts'
import type { ClusterId, IstioResource } from '../model/index.ts'
import type { Mesh } from './mesh.ts'
import { workloadProblems } from './workloads.ts'

export interface ManifestRequest {
  readonly text: string
  /** The file name for messages (`-` for standard input). */
  readonly file: string
  /** `-n`: the namespace of documents that name none (and the one they must name). */
  readonly namespace?: string
}

export type ManifestOutcome = 'created' | 'configured' | 'unchanged' | 'deleted' | 'not-found'

export interface ManifestItem {
  readonly kind: IstioResource['kind']
  readonly namespace: string
  readonly name: string
  /** kubectl's `virtualservice.networking.istio.io/helloworld`. */
  readonly ref: string
  readonly outcome: ManifestOutcome
}

export type ManifestResult =
  | { readonly ok: true; readonly items: ManifestItem[]; readonly warnings: readonly Problem[] }
  | {
      readonly ok: false
      readonly reason: 'unknown-cluster' | 'invalid'
      readonly error: string
      readonly problems: readonly Problem[]
    }

/** The group kubectl names a kind with: '' for the core group. */
const GROUP: Partial<Record<IstioResource['kind'], string>> = {
  Secret: '',
  ConfigMap: '',
  Namespace: '',
  Service: '',
  ServiceAccount: '',
  Deployment: 'apps',
}

/** kubectl's `virtualservice.networking.istio.io/NAME`, `deployment.apps/NAME`, `secret/NAME`. */
const refOf = (r: IstioResource) => {
  const group = GROUP[r.kind] ?? 'networking.istio.io'
  return `${r.kind.toLowerCase()}${group ? `.${group}` : ''}/${r.metadata.name}`
}

export function actOnManifest(
  mesh: Mesh,
  action: 'apply' | 'delete',
  cluster: string,
  req: ManifestRequest,
): ManifestResult {
  if (!mesh.clusters.has(cluster as ClusterId)) {
    const known = [...mesh.clusters.keys()].join(', ')
    return {
      ok: false,
      reason: 'unknown-cluster',
      error: `no cluster "${cluster}" in this mesh; its clusters are ${known}`,
      problems: [],
    }
  }
  const parsed = parseResources(req.text, {
    file: req.file,
    ...(req.namespace ? { namespace: req.namespace } : {}),
  })
  if (parsed.problems.length > 0) {
    const n = parsed.problems.length
    return {
      ok: false,
      reason: 'invalid',
      error: `${n} problem${n === 1 ? '' : 's'} in ${req.file}; nothing was applied`,
      problems: parsed.problems,
    }
  }
  const resources: readonly IstioResource[] = parsed.resources
  const spec = mesh.clusters.get(cluster as ClusterId)?.spec
  const refused =
    action === 'apply' && spec
      ? workloadProblems(
          spec,
          mesh.clusters.get(cluster as ClusterId)?.config.list() ?? [],
          resources,
        )
      : []
  if (refused.length > 0) {
    const problems = refused.map(({ resource, message }) => {
      const at = parsed.origins[resources.indexOf(resource)] ?? { line: 1, col: 1 }
      return {
        code: ProblemCode.BadValue,
        file: req.file,
        ...at,
        path: 'metadata.namespace',
        message: `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}: ${message}`,
      }
    })
    const n = problems.length
    return {
      ok: false,
      reason: 'invalid',
      error: `${n} problem${n === 1 ? '' : 's'} in ${req.file}; nothing was applied`,
      problems,
    }
  }
  const item = (r: IstioResource, outcome: ManifestOutcome): ManifestItem => ({
    kind: r.kind,
    namespace: r.metadata.namespace,
    name: r.metadata.name,
    ref: refOf(r),
    outcome,
  })
  if (action === 'apply') {
    const outcomes = mesh.apply(cluster as ClusterId, resources)
    return {
      ok: true,
      items: resources.map((r, i) => item(r, outcomes[i] ?? 'unchanged')),
      warnings: parsed.warnings,
    }
  }
  const gone = mesh.delete(
    cluster as ClusterId,
    resources.map((r) => ({
      kind: r.kind,
      namespace: r.metadata.namespace,
      name: r.metadata.name,
    })),
  )
  return {
    ok: true,
    items: resources.map((r, i) => item(r, gone[i] ? 'deleted' : 'not-found')),
    warnings: [],
  }
}
