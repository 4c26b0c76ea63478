// `meshsim analyze [FILE...]`: istioctl analyze for meshsim. With a topology file (and resource
// files applied over one of its clusters), it analyzes the mesh the file describes, offline;
// without files, the running mesh through its admin API. Messages are istioctl's lines (or -o
// json|yaml); exit 79 when one reaches the failure threshold.
//
// Scope: every namespace unless -n NS (istioctl's default is the kubeconfig's namespace, but a
// topology is a whole mesh with no current namespace); every cluster unless --context CLUSTER.
// Resource files are read as `meshsim apply -f FILE --context CLUSTER` reads them (objects that
// name no namespace land in default): -n only chooses what is reported.

import { readFileSync } from 'node:fs'
import {
  type AnalysisMessage,
  analyze,
  atLeast,
  formatJson,
  formatLine,
  formatYaml,
  inputFromTopology,
  issuesFoundLines,
  type Level,
  type LocatedResource,
  namespacesOf,
  noIssuesLine,
  targetOf,
  YamlSource,
} from '../../analysis/index.ts'
import {
  ConfigError,
  ConfigReadError,
  formatProblem,
  loadResourceFile,
  loadTopologyFile,
  type Problem,
} from '../../config/index.ts'
import { apiServerOf, buildInventory } from '../../runtime/index.ts'
import { ExitCode, type Io } from '../io.ts'
import { adminUrl } from '../mesh-client.ts'

/** istioctl's exit code for "analyzers found issues" (ExitAnalyzerFoundIssues), for CI. */
export const FOUND_ISSUES = 79

export interface AnalyzeOptions {
  readonly context?: string
  readonly namespace?: string
  readonly allNamespaces?: boolean
  readonly output: 'log' | 'json' | 'yaml'
  readonly outputThreshold: Level
  readonly failureThreshold: Level
  readonly admin?: string
}

interface Analysis {
  readonly clusters: readonly string[]
  readonly namespaces: readonly string[]
  readonly messages: readonly AnalysisMessage[]
}

/** A run that stops early: its exit code, after saying why on standard error. */
class Stop {
  readonly code: number
  constructor(code: number) {
    this.code = code
  }
}

/** A topology is the file with a `kind: Mesh` (or meshsim apiVersion) document, YAML or JSON. */
const isTopology = (text: string) =>
  /^kind:\s*["']?Mesh["']?\s*(#.*)?$/m.test(text) ||
  /^apiVersion:\s*["']?meshsim\.dev\//m.test(text) ||
  /"kind"\s*:\s*"Mesh"/.test(text)

function problemsStop(io: Io, file: string, problems: readonly Problem[]): Stop {
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`)
  const n = problems.length
  io.stderr.write(
    `meshsim analyze: ${file}: ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} first (meshsim validate)\n`,
  )
  return new Stop(ExitCode.DataErr)
}

function read(io: Io, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    io.stderr.write(`meshsim analyze: ${file}: cannot read: ${(err as Error).message}\n`)
    throw new Stop(ExitCode.NoInput)
  }
}

function fromFiles(files: readonly string[], opts: AnalyzeOptions, io: Io): Analysis {
  const usage = (message: string) => {
    io.stderr.write(`meshsim analyze: ${message}\n`)
    return new Stop(ExitCode.Usage)
  }
  const texts = new Map(files.map((f) => [f, read(io, f)]))
  const topologies = files.filter((f) => isTopology(texts.get(f) ?? ''))
  const resourceFiles = files.filter((f) => !topologies.includes(f))
  const [topology, ...more] = topologies
  if (more.length > 0) throw usage(`give one topology file, not ${topologies.length}`)
  if (topology === undefined)
    throw usage(
      'resource files are analyzed with the topology they apply to: meshsim analyze TOPOLOGY.yaml FILE.yaml --context CLUSTER (without files, the running mesh is analyzed)',
    )
  let spec: ReturnType<typeof loadTopologyFile>
  try {
    spec = loadTopologyFile(topology)
  } catch (err) {
    if (err instanceof ConfigError) throw problemsStop(io, topology, err.problems)
    if (err instanceof ConfigReadError) {
      io.stderr.write(`meshsim analyze: ${err.message}\n`)
      throw new Stop(ExitCode.NoInput)
    }
    throw err
  }
  const names: string[] = spec.clusters.map((c) => c.name)
  if (opts.context !== undefined && !names.includes(opts.context))
    throw usage(`no cluster "${opts.context}" in ${topology}; its clusters are ${names.join(', ')}`)
  const target = opts.context ?? (names.length === 1 ? names[0] : undefined)
  if (resourceFiles.length > 0 && target === undefined)
    throw usage(
      '--context CLUSTER is required with resource files: the cluster they are applied to',
    )

  const applied: LocatedResource[] = []
  for (const file of resourceFiles) {
    let parsed: ReturnType<typeof loadResourceFile>
    try {
      parsed = loadResourceFile(file)
    } catch (err) {
      if (!(err instanceof ConfigReadError)) throw err
      io.stderr.write(`meshsim analyze: ${err.message}\n`)
      throw new Stop(ExitCode.NoInput)
    }
    if (parsed.problems.length > 0) throw problemsStop(io, file, parsed.problems)
    const yaml = new YamlSource(texts.get(file) ?? '', file)
    parsed.resources.forEach((resource, i) => {
      const at = parsed.origins[i]
      const origin = at && yaml.originOfKindAt(at)
      applied.push({ resource, ...(origin ? { origin } : {}) })
    })
  }
  const input = inputFromTopology({
    spec,
    inventories: buildInventory(spec),
    yaml: new YamlSource(texts.get(topology) ?? '', topology),
    applied: target === undefined ? [] : [{ cluster: target, resources: applied }],
    apiServerOf,
  })
  const clusters = opts.context === undefined ? names : [opts.context]
  const ns = namespaceOf(opts)
  return {
    clusters,
    namespaces: namespacesOf(input, clusters),
    messages: analyze(input, { clusters, ...(ns === undefined ? {} : { namespace: ns }) }),
  }
}

async function fromMesh(opts: AnalyzeOptions, io: Io): Promise<Analysis> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`meshsim analyze: ${message}\n`)
    return new Stop(code)
  }
  let base: string
  try {
    base = adminUrl(opts.admin)
  } catch (err) {
    throw fail(ExitCode.Error, (err as Error).message)
  }
  const query = new URLSearchParams()
  if (opts.context !== undefined) query.set('context', opts.context)
  const ns = namespaceOf(opts)
  if (ns !== undefined) query.set('namespace', ns)
  let res: Response
  try {
    res = await fetch(`${base}/api/v1/analyze?${query}`, { signal: AbortSignal.timeout(10_000) })
  } catch {
    throw fail(
      ExitCode.Error,
      `cannot reach the mesh admin API at ${base}; start one with \`meshsim up examples/two-networks.yaml\`, or pass --admin URL`,
    )
  }
  const body = (await res.json().catch(() => ({}))) as Partial<Analysis> & { error?: string }
  if (res.status === 404 && body.error) throw fail(ExitCode.Usage, body.error)
  if (!res.ok || !body.messages)
    throw fail(ExitCode.Error, `${base}/api/v1/analyze answered ${res.status}`)
  return {
    clusters: body.clusters ?? [],
    namespaces: body.namespaces ?? [],
    messages: body.messages,
  }
}

/** -A wins over -n, as in istioctl; meshsim's default is every namespace. */
const namespaceOf = (opts: AnalyzeOptions) => (opts.allNamespaces ? undefined : opts.namespace)

function colorful(io: Io): boolean {
  const env = process.env
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true
  return tty && !env.NO_COLOR && env.TERM !== 'dumb'
}

function report(a: Analysis, files: readonly string[], opts: AnalyzeOptions, io: Io): number {
  const ns = namespaceOf(opts)
  if (ns !== undefined && !a.namespaces.includes(ns)) {
    io.stderr.write(`namespace "${ns}" not found\n`)
    return ExitCode.Usage
  }
  const shown = a.messages.filter((m) => atLeast(m.level, opts.outputThreshold))
  const failing = a.messages.some((m) => atLeast(m.level, opts.failureThreshold))
  if (opts.output === 'json') io.stdout.write(`${formatJson(shown)}\n`)
  else if (opts.output === 'yaml') io.stdout.write(formatYaml(shown))
  else {
    const line = { printCluster: a.clusters.length > 1, color: colorful(io) }
    for (const m of shown) io.stdout.write(`${formatLine(m, line)}\n`)
    if (shown.length === 0)
      io.stderr.write(`${noIssuesLine(files.length > 0 ? files.join('\n') : targetOf(ns))}\n`)
    if (failing) io.stderr.write(`${issuesFoundLines(targetOf(ns))}\n`)
  }
  return failing ? FOUND_ISSUES : ExitCode.Ok
}

export async function analyzeCommand(
  files: readonly string[],
  opts: AnalyzeOptions,
  io: Io,
): Promise<number> {
  try {
    const analysis = files.length > 0 ? fromFiles(files, opts, io) : await fromMesh(opts, io)
    return report(analysis, files, opts, io)
  } catch (err) {
    if (err instanceof Stop) return err.code
    throw err
  }
}
