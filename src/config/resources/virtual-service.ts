// VirtualService checks after Istio's ValidateVirtualService (hosts, gateways, http/tls/tcp
// routes, exportTo, unreachable rules) and the conversion to the model's VirtualService.

import type { ObjectMeta, VirtualService } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { checkRouteDestinations, toRouteDestinations } from './destinations.ts'
import {
  hostSubsetOf,
  hostsOverlap,
  isIpAddress,
  isIpOrCidr,
  wildcardDomainProblem,
} from './hosts.ts'
import { checkHttpRoute, toHttpRoute } from './http-route.ts'
import type { Report } from './report.ts'
import type { VirtualServiceInput } from './schema.ts'
import { checkUnreachableRules } from './unreachable.ts'
import { checkExportTo, checkGatewayNames, checkLabels, unsupported } from './values.ts'

type Spec = VirtualServiceInput['spec']

function checkHosts(r: Report, spec: Spec, appliesToMesh: boolean): void {
  const hosts = spec.hosts ?? []
  if (hosts.length === 0) {
    r.error(
      ProblemCode.MissingField,
      ['spec', 'hosts'],
      'hosts is required; a VirtualService without hosts is a delegate, which meshsim does not support yet',
    )
    return
  }
  let allValid = true
  hosts.forEach((h, i) => {
    const why = wildcardDomainProblem(h)
    if (why && !isIpAddress(h)) {
      allValid = false
      r.error(ProblemCode.BadHost, ['spec', 'hosts', i], `host "${h}" is not a valid host: ${why}`)
    } else if (!why && appliesToMesh && h === '*') {
      allValid = false
      r.error(
        ProblemCode.BadHost,
        ['spec', 'hosts', i],
        'host "*" is not allowed in a VirtualService that applies to sidecars (gateways absent or listing "mesh"); name the hosts',
      )
    }
  })
  if (!allValid) return
  hosts.forEach((h, j) => {
    const earlier = hosts.slice(0, j).find((e) => hostsOverlap(e, h))
    if (earlier !== undefined)
      r.error(
        ProblemCode.Duplicate,
        ['spec', 'hosts', j],
        earlier === h
          ? `host "${h}" is listed twice`
          : `host "${h}" overlaps host "${earlier}" listed before it; a VirtualService lists each host once`,
      )
  })
}

function checkSni(r: Report, spec: Spec, i: number, j: number): void {
  const match = spec.tls?.[i]?.match[j]
  match?.sniHosts.forEach((sni, k) => {
    const at = ['spec', 'tls', i, 'match', j, 'sniHosts', k]
    const why = wildcardDomainProblem(sni)
    if (why) {
      if (isIpAddress(sni))
        r.warn(
          ProblemCode.IstioWarning,
          at,
          `SNI "${sni}" is an IP address, which the SNI standard forbids and most clients never send`,
        )
      else r.error(ProblemCode.BadHost, at, `SNI host "${sni}" is not a valid host: ${why}`)
      return
    }
    const hosts = spec.hosts ?? []
    if (!hosts.some((h) => hostSubsetOf(sni, h)))
      r.error(
        ProblemCode.BadHost,
        at,
        `SNI host "${sni}" is not covered by the VirtualService's hosts [${hosts.join(', ')}]`,
      )
  })
}

function checkL4Match(
  r: Report,
  path: (string | number)[],
  m: {
    destinationSubnets?: string[] | undefined
    sourceLabels?: Record<string, string> | undefined
    sourceNamespace?: string | undefined
    sourceSubnet?: string | undefined
    gateways?: string[] | undefined
  },
): void {
  const narrowing = 'ignoring it would send this route connections Istio would not'
  if (m.destinationSubnets) {
    m.destinationSubnets.forEach((s, k) => {
      if (!isIpOrCidr(s))
        r.error(
          ProblemCode.BadValue,
          [...path, 'destinationSubnets', k],
          `"${s}" is not an IP or CIDR`,
        )
    })
    unsupported(r, [...path, 'destinationSubnets'], 'matching on destinationSubnets', narrowing)
  }
  if (m.sourceLabels) {
    checkLabels(r, [...path, 'sourceLabels'], m.sourceLabels)
    unsupported(r, [...path, 'sourceLabels'], 'sourceLabels in tls and tcp matches', narrowing)
  }
  if (m.sourceNamespace !== undefined)
    unsupported(r, [...path, 'sourceNamespace'], 'matching on sourceNamespace', narrowing)
  if (m.sourceSubnet !== undefined)
    unsupported(r, [...path, 'sourceSubnet'], 'matching on sourceSubnet', narrowing)
  checkGatewayNames(r, [...path, 'gateways'], m.gateways)
}

export function checkVirtualService(vs: VirtualServiceInput, ns: string, r: Report): void {
  const spec = vs.spec
  const gateways = spec.gateways ?? []
  // Istio's isGateway: bound to gateways and not to "mesh", so sidecars ignore it.
  const forGateway = gateways.length > 0 && !gateways.includes('mesh')
  checkHosts(r, spec, !forGateway)
  checkGatewayNames(r, ['spec', 'gateways'], gateways)
  const { http = [], tls = [], tcp = [] } = spec
  if (http.length === 0 && tls.length === 0 && tcp.length === 0)
    r.error(ProblemCode.MissingField, ['spec'], 'a VirtualService needs http, tls or tcp routes')
  http.forEach((h, i) => {
    checkHttpRoute(r, ['spec', 'http', i], h, forGateway)
  })
  tls.forEach((t, i) => {
    const at = ['spec', 'tls', i]
    if (t.match.length === 0)
      r.error(ProblemCode.MissingField, [...at, 'match'], 'a tls route needs at least one match')
    t.match.forEach((m, j) => {
      if (m.sniHosts.length === 0)
        r.error(
          ProblemCode.MissingField,
          [...at, 'match', j, 'sniHosts'],
          'a tls match needs at least one SNI host',
        )
      checkSni(r, spec, i, j)
      checkL4Match(r, [...at, 'match', j], m)
    })
    if (t.route.length === 0)
      r.error(ProblemCode.MissingField, [...at, 'route'], 'a tls route needs route (destinations)')
    checkRouteDestinations(r, [...at, 'route'], t.route)
  })
  tcp.forEach((t, i) => {
    const at = ['spec', 'tcp', i]
    t.match?.forEach((m, j) => {
      checkL4Match(r, [...at, 'match', j], m)
    })
    if (t.route.length === 0)
      r.error(ProblemCode.MissingField, [...at, 'route'], 'a tcp route needs route (destinations)')
    checkRouteDestinations(r, [...at, 'route'], t.route)
  })
  checkExportTo(r, ['spec', 'exportTo'], spec.exportTo, ns, false)
  checkUnreachableRules(r, ['spec', 'http'], http)
  checkUnreachableRules(r, ['spec', 'tls'], tls)
  checkUnreachableRules(r, ['spec', 'tcp'], tcp)
}

export function toVirtualService(vs: VirtualServiceInput, metadata: ObjectMeta): VirtualService {
  const s = vs.spec
  return {
    kind: 'VirtualService',
    metadata,
    spec: {
      hosts: s.hosts ?? [],
      ...(s.gateways ? { gateways: s.gateways } : {}),
      ...(s.http ? { http: s.http.map(toHttpRoute) } : {}),
      ...(s.tls
        ? {
            tls: s.tls.map((t) => ({
              match: t.match.map((m) => ({
                sniHosts: m.sniHosts,
                ...(m.port !== undefined ? { port: m.port } : {}),
                ...(m.gateways ? { gateways: m.gateways } : {}),
              })),
              route: toRouteDestinations(t.route),
            })),
          }
        : {}),
      ...(s.tcp
        ? {
            tcp: s.tcp.map((t) => ({
              ...(t.match
                ? {
                    match: t.match.map((m) => ({
                      ...(m.port !== undefined ? { port: m.port } : {}),
                      ...(m.gateways ? { gateways: m.gateways } : {}),
                    })),
                  }
                : {}),
              route: toRouteDestinations(t.route),
            })),
          }
        : {}),
      ...(s.exportTo ? { exportTo: s.exportTo } : {}),
    },
  }
}
