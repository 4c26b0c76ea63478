// Loads a topology: YAML with positions -> schema -> cross-references -> defaults -> a
// deep-frozen MeshSpec. Every problem is collected and thrown at once as a ConfigError.

import { statSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { type Document, isMap } from 'yaml'
import {
  clusterId,
  type IstioResource,
  type MeshSpec,
  meshId,
  namespace,
  networkId,
  selectProtocol,
  serviceAccount,
  trustDomain,
  type Workload,
} from '../model/index.ts'
import { ConfigError, type Problem, ProblemCode } from './errors.ts'
import { deepFreeze } from './freeze.ts'
import { findingsFromIssues } from './issues.ts'
import { formatPath, locate } from './locate.ts'
import { checkReferences, type Finding } from './references.ts'
import { checkInlineResources } from './resources/index.ts'
import { salvage } from './salvage.ts'
import { SAMPLE_DEFAULTS } from './samples.ts'
import { API_VERSION, durationMs, type MeshDocument, MeshDocumentSchema } from './schema.ts'
import { readConfigFile, readYaml } from './yaml.ts'

/** Topology files are hand-written and small; anything larger is refused before parsing. */
export const MAX_TOPOLOGY_BYTES = 1024 * 1024
const WHAT = 'topology files'

export interface ParseOptions {
  /** The file name used in messages. */
  readonly file: string
  /** Folder that relative paths (cacerts, certFile) are resolved against. */
  readonly baseDir: string
  /** Whether an absolute path exists; defaults to the real file system. */
  readonly exists?: (absolutePath: string) => boolean
  /**
   * Further checks on the finished spec by modules config may not import (the CA checks that
   * cacerts folders hold together). Their findings are reported like any other problem.
   */
  readonly check?: SpecCheck
  /** Receives what is accepted but ignored by Istio or not emulated by meshsim (inline resources). */
  readonly onWarning?: (warning: Problem) => void
}

/** A check over a loaded spec; paths index the document as the spec mirrors it. */
export type SpecCheck = (spec: MeshSpec) => readonly Finding[]

function realExists(p: string): boolean {
  try {
    statSync(p)
    return true
  } catch {
    return false
  }
}

/** Reads and loads a topology file. Throws ConfigReadError or ConfigError. */
export function loadTopologyFile(
  file: string,
  opts: Pick<ParseOptions, 'check' | 'onWarning'> = {},
): MeshSpec {
  const read = readConfigFile(file, MAX_TOPOLOGY_BYTES, WHAT)
  if ('tooLarge' in read) throw new ConfigError([read.tooLarge])
  const { text } = read
  return parseTopology(text, { file, baseDir: dirname(resolve(file)), ...opts })
}

/** Parses and validates topology text. Throws ConfigError listing every problem. */
export function parseTopology(text: string, opts: ParseOptions): MeshSpec {
  const { file } = opts
  const yaml = readYaml(text, file, MAX_TOPOLOGY_BYTES, WHAT)
  const lines = yaml.lines
  const problems: Problem[] = [...yaml.problems]
  const at = (doc: Document, f: Finding): Problem => ({
    code: f.code,
    file,
    ...locate(doc, lines, f.path, f.at),
    path: formatPath(f.path),
    message: f.message,
  })
  const fail = (): never => {
    problems.sort((a, b) => a.line - b.line || a.col - b.col)
    throw new ConfigError(problems)
  }

  if (problems.length > 0) fail()

  const meshes: { doc: Document; value: unknown }[] = []
  for (const { doc, value } of yaml.docs) {
    const kind = isMap(doc.contents) ? doc.get('kind') : undefined
    if (kind === 'Mesh' || kind === undefined) meshes.push({ doc, value })
    else {
      problems.push(
        at(doc, {
          code: ProblemCode.UnknownKind,
          path: ['kind'],
          message: `kind ${JSON.stringify(kind)} is not supported; meshsim reads kind Mesh (apiVersion ${API_VERSION})`,
        }),
      )
    }
  }
  if (problems.length > 0) fail()
  if (meshes.length === 0) {
    problems.push({
      code: ProblemCode.NoMesh,
      file,
      line: 1,
      col: 1,
      path: '',
      message: `no Mesh document found; a topology starts with apiVersion: ${API_VERSION} and kind: Mesh`,
    })
    fail()
  }
  const [first, ...extra] = meshes
  for (const m of extra) {
    problems.push(
      at(m.doc, {
        code: ProblemCode.Duplicate,
        path: ['kind'],
        message: 'only one Mesh document is allowed per file',
      }),
    )
  }
  if (!first) return fail()

  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.baseDir, p))
  const exists = opts.exists ?? realExists
  const fileExists = (p: string) => exists(abs(p))
  // Inline resources are checked on their own, with messages that name them.
  const inline = checkInlineResources(first.value)
  for (const f of inline.errors) problems.push(at(first.doc, f))
  const warnings = inline.warnings.map((f) => at(first.doc, f))
  for (const w of warnings.sort((a, b) => a.line - b.line || a.col - b.col)) opts.onWarning?.(w)
  const parsed = MeshDocumentSchema.safeParse(inline.value, { reportInput: true })
  if (!parsed.success) {
    for (const f of findingsFromIssues(parsed.error.issues, MeshDocumentSchema))
      problems.push(at(first.doc, f))
    // Still report cross-reference problems among the parts that are valid on their own.
    const partial = salvage(inline.value)
    if (partial) {
      const known = new Set(problems.map((p) => `${p.line}:${p.col}`))
      for (const f of checkReferences(partial.doc, fileExists, partial.names)) {
        const p = at(first.doc, f)
        if (!known.has(`${p.line}:${p.col}`)) problems.push(p)
      }
    }
    fail()
  }
  const doc = parsed.data as MeshDocument
  for (const f of checkReferences(doc, fileExists)) problems.push(at(first.doc, f))
  if (problems.length > 0) fail()

  const spec = deepFreeze(toSpec(doc, file, abs, inline.byCluster))
  for (const f of opts.check?.(spec) ?? []) problems.push(at(first.doc, f))
  if (problems.length > 0) fail()
  return spec
}

/** Applies defaults and brands ids: the only place raw strings become typed names. */
function toSpec(
  doc: MeshDocument,
  source: string,
  abs: (p: string) => string,
  resources: readonly IstioResource[][],
): MeshSpec {
  const s = doc.spec
  const root = s.ca?.root
  return {
    name: doc.metadata.name,
    source,
    meshID: meshId(s.meshID ?? doc.metadata.name),
    trustDomain: trustDomain(s.trustDomain ?? 'cluster.local'),
    ca: {
      root:
        root === undefined || 'generate' in root
          ? { generate: true, keyAlgorithm: root?.generate.keyAlgorithm ?? 'ECDSA' }
          : {
              generate: false,
              certFile: abs(root.certFile),
              ...(root.keyFile ? { keyFile: abs(root.keyFile) } : {}),
            },
      workloadKeyAlgorithm: s.ca?.workloadKeyAlgorithm ?? 'ECDSA',
      workloadCertTTL: durationMs(s.ca?.workloadCertTTL ?? '24h'),
    },
    networks: s.networks.map((n) => ({ name: networkId(n.name) })),
    clusters: s.clusters.map((c, i) => ({
      name: clusterId(c.clusterName),
      network: networkId(c.network),
      controlPlane:
        c.controlPlane?.mode === 'remote'
          ? {
              mode: 'remote',
              primary: clusterId(c.controlPlane.primary),
              ...(c.controlPlane.remotePilotAddress
                ? { remotePilotAddress: c.controlPlane.remotePilotAddress }
                : {}),
            }
          : { mode: 'primary' },
      podCIDR: c.podCIDR,
      serviceCIDR: c.serviceCIDR,
      ...(c.locality ? { locality: c.locality } : {}),
      ...(c.eastWestGateway
        ? {
            eastWestGateway: {
              address: c.eastWestGateway.address,
              port: c.eastWestGateway.port ?? 15443,
              deployment: c.eastWestGateway.deployment ?? 'istio-eastwestgateway',
            },
          }
        : {}),
      ...(c.multiclusterGateways
        ? {
            multiclusterGateways: {
              ingressGateway: {
                address: c.multiclusterGateways.ingressGateway.address,
                port: c.multiclusterGateways.ingressGateway.port ?? 15443,
              },
              egressGateway: { ...c.multiclusterGateways.egressGateway },
            },
          }
        : {}),
      remoteSecrets: (c.remoteSecrets ?? []).map(clusterId),
      ...(c.cacerts ? { cacerts: abs(c.cacerts) } : {}),
      workloads: (c.workloads ?? []).map((w): Workload => {
        const sample = SAMPLE_DEFAULTS[w.sample]
        return {
          namespace: namespace(w.namespace ?? 'default'),
          app: w.app,
          ...(w.version ? { version: w.version } : {}),
          replicas: w.replicas ?? 1,
          serviceAccount: serviceAccount(w.serviceAccount ?? sample.serviceAccount),
          sample: w.sample,
          ...(w.clusterIP ? { clusterIP: w.clusterIP } : {}),
          ports: (w.ports ?? sample.ports).map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPort ?? p.port,
            ...('appProtocol' in p && p.appProtocol ? { appProtocol: p.appProtocol } : {}),
            protocol: selectProtocol(p),
          })),
        }
      }),
      resources: resources[i] ?? [],
    })),
    istioVersion: { major: 1, minor: Number((s.istioVersion ?? '1.24').split('.')[1]) },
    ...(s.meshConfig ? { meshConfig: s.meshConfig } : {}),
    ...(s.meshNetworks
      ? {
          meshNetworks: Object.fromEntries(
            Object.entries(s.meshNetworks).map(([k, v]) => [
              k,
              {
                endpoints: v.endpoints.map((e) =>
                  'fromRegistry' in e ? { fromRegistry: clusterId(e.fromRegistry) } : e,
                ),
                gateways: v.gateways,
              },
            ]),
          ),
        }
      : {}),
  }
}
