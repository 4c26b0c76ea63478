// `istioctl x describe` in words: the pod, its ports, each Service that selects it, and the
// DestinationRule and VirtualService that apply, with the subsets the pod matches or misses.

import type { PodDescription, ServiceDescription } from '../../runtime/index.ts'

const RULE = '--------------------'

function serviceLines(s: ServiceDescription, forPod: boolean): string[] {
  const out = [`Service: ${s.name}`]
  for (const p of s.ports)
    out.push(`   Port: ${p.name || '-'} ${p.port}/${p.protocol} targets pod port ${p.targetPort}`)
  const dr = s.destinationRule
  if (dr) {
    out.push(`DestinationRule: ${dr.name} for "${dr.host}"`)
    if (forPod && dr.matchingSubsets.length === 0 && dr.nonMatchingSubsets.length > 0)
      out.push(
        `   WARNING POD DOES NOT MATCH ANY SUBSETS.  (Non matching subsets ${dr.nonMatchingSubsets.join(',')})`,
      )
    else if (dr.matchingSubsets.length > 0) {
      out.push(`   Matching subsets: ${dr.matchingSubsets.join(',')}`)
      if (dr.nonMatchingSubsets.length > 0)
        out.push(`      (Non-matching subsets ${dr.nonMatchingSubsets.join(',')})`)
    }
    out.push(`   Traffic Policy TLS Mode: ${dr.tlsMode ?? 'ISTIO_MUTUAL (auto-mTLS)'}`)
  }
  const vs = s.virtualService
  if (vs) {
    out.push(`VirtualService: ${vs.name}`)
    out.push(`   ${vs.httpRoutes.length} HTTP route(s)`)
    const defined = new Set([...(dr?.matchingSubsets ?? []), ...(dr?.nonMatchingSubsets ?? [])])
    const matching = new Set(dr?.matchingSubsets ?? [])
    let reaches = 0
    for (const r of vs.httpRoutes) {
      for (const d of r.destinations) {
        if (d.subset && !defined.has(d.subset)) {
          out.push(
            `      Warning: Route to subset ${d.subset} but NO DESTINATION RULE defining subsets!`,
          )
          continue
        }
        const hit = !forPod || !d.subset || matching.has(d.subset)
        if (hit) reaches++
        if (d.weight !== undefined && hit) out.push(`   Weight ${d.weight}%`)
        if (forPod && !hit)
          out.push(`      Route to non-matching subset ${d.subset} for ${r.match}`)
      }
    }
    if (forPod && reaches === 0)
      out.push(
        `   WARNING: No destinations match pod subsets (checked ${vs.httpRoutes.length} HTTP routes)`,
      )
  }
  return out
}

export function describePodText(d: PodDescription): string {
  const out = [`Pod: ${d.pod}`, '   Pod Revision: default']
  const ports = [
    ...d.containerPorts.map((p) => `${p} (app)`),
    ...(d.hasSidecar ? ['15090 (istio-proxy)'] : []),
  ]
  out.push(`   Pod Ports: ${ports.join(', ')}`)
  if (!d.hasSidecar) out.push(`WARNING: ${d.pod} is not part of mesh; no Istio sidecar`)
  for (const s of d.services) out.push(RULE, ...serviceLines(s, true))
  if (d.services.length === 0)
    out.push(RULE, `Suggestion: no Service in ${d.namespace} selects ${d.pod}`)
  return `${out.join('\n')}\n`
}

export function describeServiceText(s: ServiceDescription): string {
  return `${serviceLines(s, false).join('\n')}\n`
}
