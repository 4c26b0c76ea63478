// When the schema rejects a document, keeps the parts that are valid on their own (networks,
// clusters, workloads) so that cross-reference problems can be reported in the same run.

import { z } from 'zod'
import {
  ClusterSchema,
  type MeshDocument,
  MeshDocumentSchema,
  SpecSchema,
  WorkloadSchema,
} from './schema.ts'

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const NetworkSchema = z.strictObject({ name: z.string() })
const valid = (schema: z.ZodType, items: unknown): unknown[] =>
  Array.isArray(items) ? items.filter((x) => schema.safeParse(x).success) : []

export interface Salvaged {
  readonly doc: MeshDocument
  /** Every cluster and network name written in the file, valid or not. */
  readonly names: { readonly clusters: readonly string[]; readonly networks: readonly string[] }
}

export function salvage(raw: unknown): Salvaged | undefined {
  if (!isRecord(raw) || !isRecord(raw.spec)) return undefined
  const spec = raw.spec
  const names = {
    clusters: (Array.isArray(spec.clusters) ? spec.clusters : [])
      .map((c) => (isRecord(c) ? c.clusterName : undefined))
      .filter((n): n is string => typeof n === 'string'),
    networks: (Array.isArray(spec.networks) ? spec.networks : [])
      .map((n) => (isRecord(n) ? n.name : undefined))
      .filter((n): n is string => typeof n === 'string'),
  }
  const clusters = (Array.isArray(spec.clusters) ? spec.clusters : []).map((c) =>
    isRecord(c) && Array.isArray(c.workloads)
      ? { ...c, workloads: valid(WorkloadSchema, c.workloads) }
      : c,
  )
  const kept: Record<string, unknown> = {
    networks: valid(NetworkSchema, spec.networks),
    clusters: valid(ClusterSchema, clusters),
  }
  for (const key of ['meshID', 'trustDomain', 'ca', 'meshNetworks'] as const) {
    const field = SpecSchema.shape[key]
    if (spec[key] !== undefined && field.safeParse(spec[key]).success) kept[key] = spec[key]
  }
  const doc = MeshDocumentSchema.safeParse({
    apiVersion: MeshDocumentSchema.shape.apiVersion.value,
    kind: 'Mesh',
    metadata: { name: 'salvaged' },
    spec: kept,
  })
  return doc.success ? { doc: doc.data, names } : undefined
}
