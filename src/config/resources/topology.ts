// Resources written inline in a topology (spec.clusters[].resources): checked like a resource
// file's objects, with paths into the topology, plus the one rule a cluster adds: the same
// kind/namespace/name may appear only once in a cluster.

import type { IstioResource } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import type { PathSegment } from '../locate.ts'
import type { Finding } from '../references.ts'
import { checkResource, repeated } from './resource.ts'

export interface InlineResources {
  /** The topology without its inline resources, for the Mesh schema and salvage. */
  readonly value: unknown
  /** The valid resources of each cluster, by cluster index. */
  readonly byCluster: readonly IstioResource[][]
  readonly errors: readonly Finding[]
  readonly warnings: readonly Finding[]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export function checkInlineResources(topology: unknown): InlineResources {
  const spec = isRecord(topology) ? topology.spec : undefined
  const clusters = isRecord(spec) && Array.isArray(spec.clusters) ? spec.clusters : undefined
  if (!isRecord(topology) || !isRecord(spec) || !clusters)
    return { value: topology, byCluster: [], errors: [], warnings: [] }
  const errors: Finding[] = []
  const warnings: Finding[] = []
  const byCluster = clusters.map((c: unknown, i) => {
    if (!isRecord(c) || !Array.isArray(c.resources)) return []
    const found: { resource: IstioResource; path: PathSegment[] }[] = []
    c.resources.forEach((raw: unknown, j) => {
      const path = ['spec', 'clusters', i, 'resources', j]
      const place = (f: Finding): Finding => ({ ...f, path: [...path, ...f.path] })
      const checked = checkResource(raw)
      errors.push(...checked.errors.map(place))
      warnings.push(...checked.warnings.map(place))
      if (checked.resource) found.push({ resource: checked.resource, path })
    })
    for (const { entry, first } of repeated(found)) {
      const r = entry.resource
      errors.push({
        code: ProblemCode.Duplicate,
        path: [...entry.path, 'metadata', 'name'],
        message: `${r.kind} ${r.metadata.namespace}/${r.metadata.name} is already defined in this cluster at resources[${first.path[4]}]; each kind/namespace/name appears once per cluster`,
      })
    }
    return found.map((f) => f.resource)
  })
  const stripped = clusters.map((c: unknown) =>
    isRecord(c) && Array.isArray(c.resources) ? { ...c, resources: [] } : c,
  )
  return {
    value: { ...topology, spec: { ...spec, clusters: stripped } },
    byCluster,
    errors,
    warnings,
  }
}
