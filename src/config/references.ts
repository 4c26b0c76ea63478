// Cross-reference checks over a schema-valid document: names that must exist or be unique,
// control-plane wiring, CIDR overlaps and containment, and networks that need a gateway.
// Each finding carries a document path; load.ts turns paths into FILE:LINE:COL.

import { cidrContains, cidrSize, cidrsOverlap, parseCidr } from './cidr.ts'
import { ProblemCode } from './errors.ts'
import type { PathSegment } from './locate.ts'
import { checkMulticlusterGateways } from './multicluster-gateways.ts'
import type { ClusterInput, MeshDocument } from './schema.ts'
import { didYouMean } from './suggest.ts'

export interface Finding {
  readonly code: ProblemCode
  readonly path: readonly PathSegment[]
  readonly at?: 'value' | 'key'
  readonly message: string
}

/** Answers whether a path named in the file exists (injected so checks stay testable). */
export type FileExists = (relativePath: string) => boolean

/** Names written in the file but dropped from `doc` because they are invalid: known, not unknown. */
export interface KnownNames {
  readonly clusters: readonly string[]
  readonly networks: readonly string[]
}

export function checkReferences(
  doc: MeshDocument,
  fileExists: FileExists,
  known?: KnownNames,
): Finding[] {
  const out: Finding[] = []
  const spec = doc.spec
  const clusters = spec.clusters
  const inCluster = (i: number, ...rest: PathSegment[]): PathSegment[] => [
    'spec',
    'clusters',
    i,
    ...rest,
  ]

  const networkNames = new Set<string>()
  spec.networks.forEach((n, i) => {
    if (networkNames.has(n.name)) {
      out.push({
        code: ProblemCode.Duplicate,
        path: ['spec', 'networks', i, 'name'],
        message: `network "${n.name}" is declared twice; network names must be unique`,
      })
    }
    networkNames.add(n.name)
  })

  const byName = new Map<string, { cluster: ClusterInput; index: number }>()
  clusters.forEach((c, i) => {
    if (byName.has(c.clusterName)) {
      out.push({
        code: ProblemCode.Duplicate,
        path: inCluster(i, 'clusterName'),
        message: `cluster "${c.clusterName}" is declared twice (first at spec.clusters[${byName.get(c.clusterName)?.index}]); cluster names must be unique`,
      })
    } else byName.set(c.clusterName, { cluster: c, index: i })
  })
  const clusterNames = [...byName.keys()]
  const isKnownCluster = (n: string) => byName.has(n) || (known?.clusters.includes(n) ?? false)
  const isKnownNetwork = (n: string) =>
    networkNames.has(n) || (known?.networks.includes(n) ?? false)
  const isRemote = (c: ClusterInput | undefined) => c?.controlPlane?.mode === 'remote'

  clusters.forEach((c, i) => {
    if (!isKnownNetwork(c.network)) {
      out.push({
        code: ProblemCode.UnknownReference,
        path: inCluster(i, 'network'),
        message: `network "${c.network}" is not declared under spec.networks${didYouMean(c.network, networkNames)}`,
      })
    }

    const cp = c.controlPlane
    if (cp?.mode === 'remote') {
      const primary = byName.get(cp.primary)?.cluster
      if (cp.primary === c.clusterName) {
        out.push({
          code: ProblemCode.BadControlPlane,
          path: inCluster(i, 'controlPlane', 'primary'),
          message: `cluster "${c.clusterName}" cannot be a remote of itself; name the primary cluster that runs its istiod`,
        })
      } else if (!primary && !isKnownCluster(cp.primary)) {
        out.push({
          code: ProblemCode.UnknownReference,
          path: inCluster(i, 'controlPlane', 'primary'),
          message: `remote cluster "${c.clusterName}" names primary "${cp.primary}", but there is no such cluster${didYouMean(cp.primary, clusterNames)}`,
        })
      } else if (isRemote(primary)) {
        out.push({
          code: ProblemCode.BadControlPlane,
          path: inCluster(i, 'controlPlane', 'primary'),
          message: `"${cp.primary}" is itself a remote cluster and runs no istiod; a remote's primary must have controlPlane.mode: primary`,
        })
      }
      if ((c.remoteSecrets ?? []).length > 0) {
        out.push({
          code: ProblemCode.BadControlPlane,
          path: inCluster(i, 'remoteSecrets'),
          at: 'key',
          message: `remote cluster "${c.clusterName}" runs no istiod, so it holds no remote secrets; put them in its primary "${cp.primary}"`,
        })
      }
    }

    const seenSecrets = new Set<string>()
    ;(c.remoteSecrets ?? []).forEach((s, j) => {
      const path = inCluster(i, 'remoteSecrets', j)
      if (s === c.clusterName) {
        out.push({
          code: ProblemCode.BadValue,
          path,
          message: `cluster "${c.clusterName}" holds a remote secret for itself; Istio says "do not store and label the secrets for the local cluster"`,
        })
      } else if (!isKnownCluster(s)) {
        out.push({
          code: ProblemCode.UnknownReference,
          path,
          message: `remote secret for "${s}", but there is no such cluster${didYouMean(
            s,
            clusterNames.filter((n) => n !== c.clusterName),
          )}`,
        })
      } else if (seenSecrets.has(s)) {
        out.push({
          code: ProblemCode.Duplicate,
          path,
          message: `remote secret for "${s}" is listed twice`,
        })
      }
      seenSecrets.add(s)
    })

    checkWorkloads(c, i, out)
    if (c.cacerts !== undefined && !fileExists(c.cacerts)) {
      out.push({
        code: ProblemCode.FileNotFound,
        path: inCluster(i, 'cacerts'),
        message: `cacerts folder "${c.cacerts}" does not exist (paths are relative to this file); create it with: meshsim certs --out certs --clusters ${c.clusterName}`,
      })
    }
  })

  checkCidrs(clusters, out)
  checkGateways(doc, byName, out)
  checkMulticlusterGateways(doc, out)
  checkMeshNetworks(doc, isKnownNetwork, isKnownCluster, clusterNames, out)
  checkCa(doc, fileExists, out)
  return out
}

function checkWorkloads(c: ClusterInput, i: number, out: Finding[]): void {
  const at = (...rest: PathSegment[]): PathSegment[] => [
    'spec',
    'clusters',
    i,
    'workloads',
    ...rest,
  ]
  const seen = new Set<string>()
  const services = new Map<string, { ports: string; clusterIP?: string; index: number }>()
  const clusterIPs = new Map<string, string>()
  const service = parseCidr(c.serviceCIDR)
  let pods = 0
  ;(c.workloads ?? []).forEach((w, j) => {
    const ns = w.namespace ?? 'default'
    const id = `${ns}/${w.app}/${w.version ?? ''}`
    if (seen.has(id)) {
      out.push({
        code: ProblemCode.Duplicate,
        path: at(j, 'app'),
        message: `workload ${w.app}${w.version ? ` ${w.version}` : ''} in namespace ${ns} is declared twice in ${c.clusterName}; give each a different version`,
      })
    }
    seen.add(id)
    pods += w.replicas ?? 1

    const names = new Set<string>()
    const numbers = new Set<number>()
    ;(w.ports ?? []).forEach((p, k) => {
      if (names.has(p.name)) {
        out.push({
          code: ProblemCode.Duplicate,
          path: at(j, 'ports', k, 'name'),
          message: `port name "${p.name}" is used twice`,
        })
      }
      if (numbers.has(p.port)) {
        out.push({
          code: ProblemCode.Duplicate,
          path: at(j, 'ports', k, 'port'),
          message: `port ${p.port} is declared twice`,
        })
      }
      names.add(p.name)
      numbers.add(p.port)
    })

    if (w.clusterIP !== undefined && !cidrContains(service, w.clusterIP)) {
      out.push({
        code: ProblemCode.OutsideCidr,
        path: at(j, 'clusterIP'),
        message: `clusterIP ${w.clusterIP} is outside ${c.clusterName}'s serviceCIDR ${c.serviceCIDR}; pick an address inside it or leave clusterIP out`,
      })
    }

    // Workloads of one app in one namespace share a Service: same ports, same ClusterIP.
    const svc = `${ns}/${w.app}`
    const ports = JSON.stringify((w.ports ?? []).map((p) => [p.name, p.port]))
    const prior = services.get(svc)
    if (prior === undefined) {
      services.set(svc, { ports, ...(w.clusterIP ? { clusterIP: w.clusterIP } : {}), index: j })
    } else {
      if (w.ports !== undefined && prior.ports !== ports) {
        out.push({
          code: ProblemCode.BadValue,
          path: at(j, 'ports'),
          at: 'key',
          message: `workloads of Service ${w.app}.${ns} must declare the same ports (see workloads[${prior.index}])`,
        })
      }
      if (
        w.clusterIP !== undefined &&
        prior.clusterIP !== undefined &&
        w.clusterIP !== prior.clusterIP
      ) {
        out.push({
          code: ProblemCode.BadValue,
          path: at(j, 'clusterIP'),
          message: `Service ${w.app}.${ns} already has clusterIP ${prior.clusterIP} (workloads[${prior.index}])`,
        })
      }
    }
    if (w.clusterIP !== undefined) {
      const owner = clusterIPs.get(w.clusterIP)
      if (owner !== undefined && owner !== svc) {
        out.push({
          code: ProblemCode.Duplicate,
          path: at(j, 'clusterIP'),
          message: `clusterIP ${w.clusterIP} is already used by Service ${owner.replace('/', '.')}`,
        })
      }
      clusterIPs.set(w.clusterIP, svc)
    }
  })
  const capacity = cidrSize(parseCidr(c.podCIDR)) - 2
  if (pods > capacity) {
    out.push({
      code: ProblemCode.BadValue,
      path: ['spec', 'clusters', i, 'podCIDR'],
      message: `${pods} pods do not fit in podCIDR ${c.podCIDR} (${capacity} addresses); use a larger block`,
    })
  }
}

function checkCidrs(clusters: readonly ClusterInput[], out: Finding[]): void {
  const blocks = clusters.flatMap((c, i) => [
    { c, i, field: 'podCIDR' as const, cidr: parseCidr(c.podCIDR) },
    { c, i, field: 'serviceCIDR' as const, cidr: parseCidr(c.serviceCIDR) },
  ])
  for (const [a, x] of blocks.entries()) {
    for (const y of blocks.slice(a + 1)) {
      const sameCluster = x.i === y.i
      if (!sameCluster && x.c.network !== y.c.network) continue
      if (!cidrsOverlap(x.cidr, y.cidr)) continue
      const why = sameCluster
        ? `overlaps its own ${x.field} ${x.c[x.field]}`
        : `overlaps ${x.field} ${x.c[x.field]} of cluster ${x.c.clusterName}, which shares network ${x.c.network}; clusters on one network need distinct pod and service ranges`
      out.push({
        code: ProblemCode.CidrOverlap,
        path: ['spec', 'clusters', y.i, y.field],
        message: `${y.field} ${y.c[y.field]} of cluster ${y.c.clusterName} ${why}`,
      })
    }
  }
}

function checkGateways(
  doc: MeshDocument,
  byName: Map<string, { cluster: ClusterInput; index: number }>,
  out: Finding[],
): void {
  const clusters = doc.spec.clusters
  const gatewayNetworks = new Set<string>()
  const addresses = new Map<string, string>()
  clusters.forEach((c, i) => {
    const gw = c.eastWestGateway
    if (!gw) return
    gatewayNetworks.add(c.network)
    const owner = addresses.get(gw.address)
    if (owner !== undefined) {
      out.push({
        code: ProblemCode.Duplicate,
        path: ['spec', 'clusters', i, 'eastWestGateway', 'address'],
        message: `gateway address ${gw.address} is already used by ${owner}'s east-west gateway; each gateway needs its own address`,
      })
    }
    addresses.set(gw.address, c.clusterName)
    for (const other of clusters) {
      for (const field of ['podCIDR', 'serviceCIDR'] as const) {
        if (cidrContains(parseCidr(other[field]), gw.address)) {
          out.push({
            code: ProblemCode.BadValue,
            path: ['spec', 'clusters', i, 'eastWestGateway', 'address'],
            message: `gateway address ${gw.address} lies inside ${other.clusterName}'s ${field} ${other[field]}; a gateway's public address must be outside every pod and service range`,
          })
        }
      }
    }
  })
  for (const [name, net] of Object.entries(doc.spec.meshNetworks ?? {})) {
    if (net.gateways.length > 0) gatewayNetworks.add(name)
  }

  // Who must reach which network: callers configured by a primary reach every cluster it
  // discovers; a remote reaches its primary's istiod.
  const reported = new Set<string>()
  const need = (network: string, why: string) => {
    if (gatewayNetworks.has(network) || reported.has(network)) return
    reported.add(network)
    const index = clusters.findIndex((c) => c.network === network)
    out.push({
      code: ProblemCode.NoGateway,
      path: ['spec', 'clusters', index, 'network'],
      message: `network ${network} has no east-west gateway, but ${why}; add eastWestGateway to a cluster on ${network}`,
    })
  }
  for (const p of clusters) {
    if (p.controlPlane?.mode !== 'remote') continue
    const primary = byName.get(p.controlPlane.primary)?.cluster
    if (primary && primary.network !== p.network) {
      need(
        primary.network,
        `remote cluster ${p.clusterName} (${p.network}) reaches its istiod in ${primary.clusterName} through it`,
      )
    }
  }
  for (const p of clusters) {
    if (p.controlPlane?.mode === 'remote') continue
    const callers = clusters.filter(
      (c) =>
        c === p || (c.controlPlane?.mode === 'remote' && c.controlPlane.primary === p.clusterName),
    )
    const discovered = [p.clusterName, ...(p.remoteSecrets ?? [])]
      .map((n) => byName.get(n)?.cluster)
      .filter((c): c is ClusterInput => c !== undefined && hasPods(c))
    for (const target of discovered) {
      for (const caller of callers) {
        if (caller.network === target.network) continue
        const how =
          target === p ? '' : ` through ${p.clusterName}'s remote secret for ${target.clusterName}`
        need(
          target.network,
          `${caller.clusterName} (${caller.network}) calls services in ${target.clusterName}${how}`,
        )
      }
    }
  }
}

function hasPods(c: ClusterInput): boolean {
  return (c.workloads ?? []).some((w) => (w.replicas ?? 1) > 0)
}

function checkMeshNetworks(
  doc: MeshDocument,
  isKnownNetwork: (n: string) => boolean,
  isKnownCluster: (n: string) => boolean,
  clusterNames: string[],
  out: Finding[],
): void {
  const registries = new Map<string, string>()
  for (const [name, net] of Object.entries(doc.spec.meshNetworks ?? {})) {
    if (!isKnownNetwork(name)) {
      out.push({
        code: ProblemCode.UnknownReference,
        path: ['spec', 'meshNetworks', name],
        at: 'key',
        message: `meshNetworks names network "${name}", which is not declared under spec.networks${didYouMean(
          name,
          doc.spec.networks.map((n) => n.name),
        )}`,
      })
    }
    net.endpoints.forEach((e, j) => {
      if (!('fromRegistry' in e)) return
      const path = ['spec', 'meshNetworks', name, 'endpoints', j, 'fromRegistry']
      if (!isKnownCluster(e.fromRegistry)) {
        out.push({
          code: ProblemCode.UnknownReference,
          path,
          message: `fromRegistry "${e.fromRegistry}" names no cluster${didYouMean(e.fromRegistry, clusterNames)}`,
        })
      } else if (registries.has(e.fromRegistry) && registries.get(e.fromRegistry) !== name) {
        out.push({
          code: ProblemCode.Duplicate,
          path,
          message: `registry ${e.fromRegistry} is already in network ${registries.get(e.fromRegistry)}; a registry maps to one network only`,
        })
      }
      registries.set(e.fromRegistry, name)
    })
  }
}

function checkCa(doc: MeshDocument, fileExists: FileExists, out: Finding[]): void {
  const root = doc.spec.ca?.root
  if (!root || 'generate' in root) return
  const base: PathSegment[] = ['spec', 'ca', 'root']
  for (const field of ['certFile', 'keyFile'] as const) {
    const f = root[field]
    if (f !== undefined && !fileExists(f)) {
      out.push({
        code: ProblemCode.FileNotFound,
        path: [...base, field],
        message: `${f} does not exist (paths are relative to this file)`,
      })
    }
  }
  const needKey = doc.spec.clusters.filter((c) => c.cacerts === undefined).map((c) => c.clusterName)
  if (root.keyFile === undefined && needKey.length > 0) {
    out.push({
      code: ProblemCode.MissingField,
      path: base,
      message: `keyFile is needed to sign intermediates for ${needKey.join(', ')}, which bring no cacerts; add keyFile or give each cluster a cacerts folder`,
    })
  }
}
