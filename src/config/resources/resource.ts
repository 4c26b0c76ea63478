// One Kubernetes object in, one checked IstioResource (or the reasons why not) out: kind and
// apiVersion, the kind's schema, its namespace as kubectl settles it, then the kind's semantic
// checks. Every message names the resource; paths are relative to the object.

import type { z } from 'zod'
import {
  namespace as asNamespace,
  type IstioResource,
  type ObjectMeta,
  resourceKey,
} from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { findingsFromIssues } from '../issues.ts'
import type { Finding } from '../references.ts'
import { didYouMean } from '../suggest.ts'
import { checkConfigMap, toConfigMap } from './config-map.ts'
import { checkDestinationRule, toDestinationRule } from './destination-rule.ts'
import { checkGateway, toGateway } from './gateway.ts'
import { lookupKind, SUPPORTED_KINDS, type SupportedKind } from './kinds.ts'
import { Report } from './report.ts'
import {
  DestinationRuleSchema,
  GatewaySchema,
  type MetadataInput,
  ServiceEntrySchema,
  VirtualServiceSchema,
} from './schema.ts'
import { ConfigMapSchema, SecretSchema } from './schema-kube.ts'
import {
  DeploymentSchema,
  KubeServiceSchema,
  NamespaceSchema,
  ServiceAccountSchema,
} from './schema-workloads.ts'
import { checkSecret, toSecret } from './secret.ts'
import { checkServiceEntry, toServiceEntry } from './service-entry.ts'
import { checkLabels } from './values.ts'
import { checkVirtualService, toVirtualService } from './virtual-service.ts'
import {
  checkDeployment,
  checkNamespace,
  checkService,
  checkServiceAccount,
  toDeployment,
  toNamespace,
  toService,
  toServiceAccount,
} from './workloads.ts'

export interface CheckOptions {
  /** The namespace applied to (kubectl -n); resources without one land in it, else in default. */
  readonly namespace?: string
}

export interface CheckedResource {
  readonly resource?: IstioResource
  /** Paths relative to the object. */
  readonly errors: readonly Finding[]
  readonly warnings: readonly Finding[]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`
}

/** Parses with the kind's schema, then runs its checks and converts it to the model. */
function run<T extends { metadata: MetadataInput }>(
  schema: z.ZodType<T>,
  check: (data: T, ns: string, r: Report) => void,
  to: (data: T, metadata: ObjectMeta) => IstioResource,
  raw: unknown,
  ns: string,
  r: Report,
): { resource?: IstioResource; issues?: Finding[] } {
  const parsed = schema.safeParse(raw, { reportInput: true })
  if (!parsed.success) return { issues: findingsFromIssues(parsed.error.issues, schema) }
  const data = parsed.data
  check(data, ns, r)
  checkLabels(r, ['metadata', 'labels'], data.metadata.labels)
  if (data.metadata.annotations?.['istio.io/dry-run'] !== undefined)
    r.error(
      ProblemCode.BadValue,
      ['metadata', 'annotations', 'istio.io/dry-run'],
      'the istio.io/dry-run annotation is allowed only on AuthorizationPolicy',
      'key',
    )
  return { resource: to(data, toMetadata(data.metadata, ns)) }
}

// Adding a kind: its schema, its checks and its conversion.
function checkKind(kind: SupportedKind, raw: unknown, ns: string, r: Report) {
  switch (kind) {
    case 'VirtualService':
      return run(VirtualServiceSchema, checkVirtualService, toVirtualService, raw, ns, r)
    case 'DestinationRule':
      return run(DestinationRuleSchema, checkDestinationRule, toDestinationRule, raw, ns, r)
    case 'ServiceEntry':
      return run(ServiceEntrySchema, checkServiceEntry, toServiceEntry, raw, ns, r)
    case 'Gateway':
      return run(GatewaySchema, checkGateway, toGateway, raw, ns, r)
    case 'Secret':
      return run(SecretSchema, checkSecret, toSecret, raw, ns, r)
    case 'ConfigMap':
      return run(ConfigMapSchema, checkConfigMap, toConfigMap, raw, ns, r)
    case 'Namespace':
      return run(NamespaceSchema, checkNamespace, toNamespace, raw, ns, r)
    case 'Service':
      return run(KubeServiceSchema, checkService, toService, raw, ns, r)
    case 'ServiceAccount':
      return run(ServiceAccountSchema, checkServiceAccount, toServiceAccount, raw, ns, r)
    case 'Deployment':
      return run(DeploymentSchema, checkDeployment, toDeployment, raw, ns, r)
  }
}

function toMetadata(m: MetadataInput, ns: string): ObjectMeta {
  return {
    name: m.name,
    namespace: asNamespace(ns),
    ...(m.labels ? { labels: m.labels } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  }
}

export function checkResource(raw: unknown, opts: CheckOptions = {}): CheckedResource {
  const r = new Report()
  if (!isRecord(raw)) {
    r.error(
      ProblemCode.WrongType,
      [],
      `expected a Kubernetes object (a mapping with apiVersion, kind, metadata and spec), got ${describe(raw)}`,
    )
    return { errors: r.errors, warnings: r.warnings }
  }
  const kind = raw.kind
  if (kind === undefined) {
    r.error(
      ProblemCode.MissingField,
      ['kind'],
      `missing required field "kind"; meshsim reads ${SUPPORTED_KINDS.join(', ')}`,
    )
    return { errors: r.errors, warnings: r.warnings }
  }
  if (typeof kind !== 'string') {
    r.error(ProblemCode.WrongType, ['kind'], `kind must be a string, got ${describe(kind)}`)
    return { errors: r.errors, warnings: r.warnings }
  }
  const found = lookupKind(kind, raw.apiVersion)
  if (found.support === 'unknown') {
    r.error(
      ProblemCode.UnknownKind,
      ['kind'],
      `unknown kind "${kind}"${didYouMean(kind, found.known) || `; meshsim reads ${SUPPORTED_KINDS.join(', ')}`}`,
    )
    return { errors: r.errors, warnings: r.warnings }
  }
  if (found.support === 'planned') {
    const where = found.group === '' ? 'core v1' : found.group
    r.error(
      ProblemCode.UnsupportedKind,
      ['kind'],
      `meshsim does not support kind ${kind} (${where}) yet; it reads ${SUPPORTED_KINDS.join(', ')}`,
    )
    return { errors: r.errors, warnings: r.warnings }
  }

  const metadata = isRecord(raw.metadata) ? raw.metadata : {}
  const written = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  // A Namespace is cluster-scoped: it has no namespace, and -n does not apply to it.
  const clusterScoped = kind === 'Namespace'
  const ns = clusterScoped ? '' : (written ?? opts.namespace ?? 'default')
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)'
  const label = clusterScoped ? `${kind} ${name}` : `${kind} ${ns}/${name}`
  if (
    !clusterScoped &&
    written !== undefined &&
    opts.namespace !== undefined &&
    written !== opts.namespace
  )
    r.error(
      ProblemCode.NamespaceMismatch,
      ['metadata', 'namespace'],
      `the namespace from the provided object "${written}" does not match the namespace "${opts.namespace}". You must pass '--namespace=${written}' to perform this operation.`,
    )
  const result = checkKind(found.kind, raw, ns, r)
  const errors = [...(result.issues ?? []), ...r.errors]
  const named = (f: Finding): Finding => ({ ...f, message: `${label}: ${f.message}` })
  return {
    ...(result.resource && errors.length === 0 ? { resource: result.resource } : {}),
    errors: errors.map(named),
    warnings: r.warnings.map(named),
  }
}

/** Entries whose resource repeats an earlier one's kind/namespace/name, with that earlier one. */
export function repeated<T extends { readonly resource: IstioResource }>(
  entries: readonly T[],
): { readonly entry: T; readonly first: T }[] {
  const first = new Map<string, T>()
  const out: { entry: T; first: T }[] = []
  for (const entry of entries) {
    const key = resourceKey(entry.resource)
    const f = first.get(key)
    if (f === undefined) first.set(key, entry)
    else out.push({ entry, first: f })
  }
  return out
}
