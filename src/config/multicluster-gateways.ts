// Checks of the `.global` install (clusters[].multiclusterGateways): it belongs to Istio 1.1–1.8
// and to replicated control planes, its ingress gateway needs a public address of its own, and
// its egress gateway's ClusterIP must be a free address of the cluster's serviceCIDR.

import { cidrContains, parseCidr } from './cidr.ts'
import { ProblemCode } from './errors.ts'
import type { Finding } from './references.ts'
import type { MeshDocument } from './schema.ts'

/** istiocoredns was removed in 1.9 (istio-semantics §0.1). */
const LAST_MINOR = 8

export function checkMulticlusterGateways(doc: MeshDocument, out: Finding[]): void {
  const clusters = doc.spec.clusters
  const minor = Number((doc.spec.istioVersion ?? '1.24').split('.')[1])
  const taken = new Map<string, string>()
  for (const c of clusters) {
    if (c.eastWestGateway)
      taken.set(c.eastWestGateway.address, `${c.clusterName}'s east-west gateway`)
  }
  clusters.forEach((c, i) => {
    const mg = c.multiclusterGateways
    if (!mg) return
    const at = ['spec', 'clusters', i, 'multiclusterGateways']
    if (minor > LAST_MINOR) {
      out.push({
        code: ProblemCode.BadValue,
        path: at,
        at: 'key',
        message: `the .global install (istiocoredns, *.global gateways) exists in Istio 1.1 to 1.8 only; set spec.istioVersion to 1.8 or older (the guide used 1.4), or use eastWestGateway for a current multicluster install`,
      })
    }
    if (c.controlPlane?.mode === 'remote') {
      out.push({
        code: ProblemCode.BadControlPlane,
        path: at,
        at: 'key',
        message: `${c.clusterName} is a remote cluster, but the .global install is for replicated control planes: every cluster runs its own istiod (controlPlane.mode primary)`,
      })
    }
    if (c.eastWestGateway?.deployment === 'istio-ingressgateway') {
      out.push({
        code: ProblemCode.Conflict,
        path: [...at, 'ingressGateway'],
        at: 'key',
        message: `the .global install deploys istio-ingressgateway itself; drop eastWestGateway (deployment istio-ingressgateway) from ${c.clusterName}`,
      })
    }
    const address = mg.ingressGateway.address
    const owner = taken.get(address)
    if (owner !== undefined) {
      out.push({
        code: ProblemCode.Duplicate,
        path: [...at, 'ingressGateway', 'address'],
        message: `gateway address ${address} is already used by ${owner}; each gateway needs its own address`,
      })
    }
    taken.set(address, `${c.clusterName}'s ingress gateway`)
    for (const other of clusters) {
      for (const field of ['podCIDR', 'serviceCIDR'] as const) {
        if (cidrContains(parseCidr(other[field]), address)) {
          out.push({
            code: ProblemCode.BadValue,
            path: [...at, 'ingressGateway', 'address'],
            message: `gateway address ${address} lies inside ${other.clusterName}'s ${field} ${other[field]}; a gateway's public address must be outside every pod and service range`,
          })
        }
      }
    }
    const egress = mg.egressGateway?.clusterIP
    if (egress === undefined) return
    const path = [...at, 'egressGateway', 'clusterIP']
    if (!cidrContains(parseCidr(c.serviceCIDR), egress)) {
      out.push({
        code: ProblemCode.OutsideCidr,
        path,
        message: `clusterIP ${egress} is outside ${c.clusterName}'s serviceCIDR ${c.serviceCIDR}; pick an address inside it or leave clusterIP out`,
      })
    }
    const user = (c.workloads ?? []).find((w) => w.clusterIP === egress)
    if (user) {
      out.push({
        code: ProblemCode.Duplicate,
        path,
        message: `clusterIP ${egress} is already used by Service ${user.app}.${user.namespace ?? 'default'}`,
      })
    }
  })
}
