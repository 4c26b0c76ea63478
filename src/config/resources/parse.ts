// Resource files as `kubectl apply -f` reads them: YAML documents separated by ---, empty ones
// skipped, `kind: List` unwrapped, each object checked on its own. Problems carry FILE:LINE:COL;
// the resources returned are the valid ones (apply them only when there are no problems).

import type { IstioResource } from '../../model/index.ts'
import { type Problem, ProblemCode } from '../errors.ts'
import { formatPath, locate, type PathSegment } from '../locate.ts'
import type { Finding } from '../references.ts'
import { readConfigFile, readYaml, type YamlDocument } from '../yaml.ts'
import { checkResource, repeated } from './resource.ts'

/** Resource files are hand-written or generated manifests; anything larger is refused. */
export const MAX_RESOURCE_BYTES = 2 * 1024 * 1024
const WHAT = 'resource files'

export interface ParseResourcesOptions {
  /** The file name used in messages. */
  readonly file: string
  /** The namespace applied to, as kubectl's -n; objects without one land in it (else default). */
  readonly namespace?: string
}

export interface ParsedResources {
  /** The valid resources, in file order. */
  readonly resources: IstioResource[]
  /** What kubectl apply (or Istio's validation) would refuse, sorted by position. */
  readonly problems: Problem[]
  /** Accepted, but ignored by Istio or not emulated by meshsim, sorted by position. */
  readonly warnings: Problem[]
  /** Where each resource starts (its `kind`), by index, for checks made later against a cluster. */
  readonly origins: readonly { readonly line: number; readonly col: number }[]
}

const byPosition = (a: Problem, b: Problem) => a.line - b.line || a.col - b.col

/** The objects of one document: itself, or the items of a List. */
function objectsOf(value: unknown): { raw: unknown; base: PathSegment[] }[] | Finding {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value)
  const kind = record ? (value as Record<string, unknown>).kind : undefined
  if (typeof kind !== 'string' || !kind.endsWith('List')) return [{ raw: value, base: [] }]
  if (kind !== 'List' && !('items' in (value as object))) return [{ raw: value, base: [] }]
  const items = (value as Record<string, unknown>).items
  if (!Array.isArray(items))
    return {
      code: ProblemCode.WrongType,
      path: ['items'],
      message: `a ${kind} holds its objects in items, a list`,
    }
  return items.map((raw, j) => ({ raw, base: ['items', j] }))
}

export function parseResources(text: string, opts: ParseResourcesOptions): ParsedResources {
  const { file } = opts
  const yaml = readYaml(text, file, MAX_RESOURCE_BYTES, WHAT)
  const problems: Problem[] = [...yaml.problems]
  const warnings: Problem[] = []
  const at = (d: YamlDocument, base: readonly PathSegment[], f: Finding): Problem => {
    const path = [...base, ...f.path]
    return {
      code: f.code,
      file,
      ...locate(d.doc, yaml.lines, path, f.at),
      path: formatPath(path),
      message: f.message,
    }
  }
  const found: { resource: IstioResource; d: YamlDocument; base: PathSegment[] }[] = []
  for (const d of yaml.docs) {
    const objects = objectsOf(d.value)
    if (!Array.isArray(objects)) {
      problems.push(at(d, [], objects))
      continue
    }
    for (const { raw, base } of objects) {
      const checked = checkResource(raw, opts.namespace ? { namespace: opts.namespace } : {})
      for (const f of checked.errors) problems.push(at(d, base, f))
      for (const f of checked.warnings) warnings.push(at(d, base, f))
      if (checked.resource) found.push({ resource: checked.resource, d, base })
    }
  }
  for (const { entry, first } of repeated(found)) {
    const p = at(first.d, first.base, { code: ProblemCode.Duplicate, path: [], message: '' })
    warnings.push(
      at(entry.d, entry.base, {
        code: ProblemCode.Duplicate,
        path: ['metadata', 'name'],
        message: `${entry.resource.kind} ${entry.resource.metadata.namespace}/${entry.resource.metadata.name} is also defined at line ${p.line}; applied in order, this one replaces it`,
      }),
    )
  }
  return {
    resources: found.map((f) => f.resource),
    problems: problems.sort(byPosition),
    warnings: warnings.sort(byPosition),
    origins: found.map((f) => {
      const p = at(f.d, f.base, { code: ProblemCode.BadValue, path: ['kind'], message: '' })
      return { line: p.line, col: p.col }
    }),
  }
}

/** Reads and parses a resource file. Throws ConfigReadError when it cannot be read. */
export function loadResourceFile(
  file: string,
  opts: { readonly namespace?: string } = {},
): ParsedResources {
  const read = readConfigFile(file, MAX_RESOURCE_BYTES, WHAT)
  if ('tooLarge' in read)
    return { resources: [], problems: [read.tooLarge], warnings: [], origins: [] }
  const { text } = read
  return parseResources(text, { ...opts, file })
}
