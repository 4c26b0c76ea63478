// ServiceEntry checks after Istio's ValidateServiceEntry (hosts, addresses, ports, resolution
// against endpoints, endpoint addresses and port names) and the conversion to the model.

import type { ObjectMeta, ServiceEntry } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { fqdnProblem, isIpAddress, isIpOrCidr, isLabel, wildcardDomainProblem } from './hosts.ts'
import type { Report } from './report.ts'
import type { ServiceEntryInput } from './schema.ts'
import {
  checkExportTo,
  checkLabels,
  isHttpProtocol,
  isProtocol,
  isTlsProtocol,
  notEmulated,
  protocolProblem,
} from './values.ts'

type Spec = ServiceEntryInput['spec']

function checkHosts(r: Report, spec: Spec): void {
  if (spec.hosts.length === 0)
    r.error(ProblemCode.MissingField, ['spec', 'hosts'], 'a ServiceEntry needs at least one host')
  spec.hosts.forEach((h, i) => {
    const at = ['spec', 'hosts', i]
    if (h === '*') {
      r.error(ProblemCode.BadHost, at, 'host "*" is not allowed in a ServiceEntry; name the hosts')
      return
    }
    const why = wildcardDomainProblem(h)
    if (why) r.error(ProblemCode.BadHost, at, `host "${h}" is not a valid host: ${why}`)
    else if (h.includes('*') && !h.startsWith('*.'))
      r.warn(
        ProblemCode.IstioWarning,
        at,
        `host "${h}" has a partial wildcard; only "*.example.com" matches as a wildcard`,
      )
  })
}

function checkPorts(r: Report, spec: Spec): void {
  const names = new Set<string>()
  const numbers = new Set<number>()
  spec.ports?.forEach((p, i) => {
    const at = ['spec', 'ports', i]
    if (names.has(p.name))
      r.error(ProblemCode.Duplicate, [...at, 'name'], `port name "${p.name}" is already defined`)
    if (numbers.has(p.number))
      r.error(ProblemCode.Duplicate, [...at, 'number'], `port ${p.number} is already defined`)
    names.add(p.name)
    numbers.add(p.number)
    if (!isLabel(p.name))
      r.error(
        ProblemCode.BadValue,
        [...at, 'name'],
        `port name "${p.name}" must be a DNS label: letters, digits and '-', at most 63`,
      )
    if (p.protocol !== undefined && p.protocol !== '' && !isProtocol(p.protocol))
      r.error(ProblemCode.BadValue, [...at, 'protocol'], protocolProblem(p.protocol))
  })
}

function checkEndpoints(r: Report, spec: Spec): void {
  const resolution = spec.resolution ?? 'NONE'
  const endpoints = spec.endpoints ?? []
  const declared = new Set((spec.ports ?? []).map((p) => p.name))
  if (resolution === 'NONE' && endpoints.length > 0) {
    r.error(
      ProblemCode.Conflict,
      ['spec', 'endpoints'],
      `endpoints cannot be given with resolution NONE${spec.resolution ? '' : ' (the default)'}; use STATIC for IP endpoints or DNS for host names`,
      'key',
    )
    return
  }
  if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && endpoints.length === 0) {
    spec.hosts.forEach((h, i) => {
      if (fqdnProblem(h))
        r.error(
          ProblemCode.BadHost,
          ['spec', 'hosts', i],
          `with resolution ${resolution} and no endpoints, hosts are resolved by DNS and must be plain host names; "${h}" is not`,
        )
    })
  }
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1)
    r.error(
      ProblemCode.BadValue,
      ['spec', 'endpoints'],
      'resolution DNS_ROUND_ROBIN allows at most one endpoint',
      'key',
    )
  endpoints.forEach((e, i) => {
    const at = ['spec', 'endpoints', i]
    const addr = e.address ?? ''
    if (addr === '') {
      if (!e.network) r.error(ProblemCode.MissingField, at, 'an endpoint needs an address')
      else
        r.warn(ProblemCode.IstioWarning, at, `endpoint has no address, only network ${e.network}`)
    } else if (addr.startsWith('unix://')) {
      if (resolution !== 'STATIC')
        r.error(
          ProblemCode.BadValue,
          [...at, 'address'],
          'unix:// endpoints need resolution STATIC',
        )
      notEmulated(r, [...at, 'address'], 'unix domain socket endpoints')
    } else if (resolution === 'STATIC' && !isIpAddress(addr)) {
      r.error(
        ProblemCode.BadValue,
        [...at, 'address'],
        `endpoint address "${addr}" is not an IP address; with resolution STATIC endpoints are IPs (use DNS for host names)`,
      )
    } else if (!isIpAddress(addr) && fqdnProblem(addr)) {
      r.error(
        ProblemCode.BadValue,
        [...at, 'address'],
        `endpoint address "${addr}" is neither an IP address nor a host name: ${fqdnProblem(addr)}`,
      )
    }
    for (const name of Object.keys(e.ports ?? {})) {
      if (!declared.has(name))
        r.error(
          ProblemCode.UnknownReference,
          [...at, 'ports', name],
          `endpoint port "${name}" names no port of this ServiceEntry${declared.size ? ` (ports: ${[...declared].join(', ')})` : ''}`,
          'key',
        )
    }
    checkLabels(r, [...at, 'labels'], e.labels)
  })
}

export function checkServiceEntry(se: ServiceEntryInput, ns: string, r: Report): void {
  const spec = se.spec
  checkHosts(r, spec)
  let cidr = false
  spec.addresses?.forEach((a, i) => {
    cidr ||= a.includes('/')
    if (!isIpOrCidr(a))
      r.error(
        ProblemCode.BadValue,
        ['spec', 'addresses', i],
        `address "${a}" is not an IP address or a CIDR such as 10.0.0.0/24`,
      )
  })
  const resolution = spec.resolution ?? 'NONE'
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC')
    r.error(
      ProblemCode.Conflict,
      ['spec', 'resolution'],
      `CIDR addresses are allowed only with resolution NONE or STATIC, not ${resolution}`,
    )
  checkPorts(r, spec)
  checkEndpoints(r, spec)
  if (resolution !== 'NONE' && spec.hosts.length > 1) {
    const plain = spec.ports?.findIndex(
      (p) => !isHttpProtocol(p.protocol) && !isTlsProtocol(p.protocol),
    )
    if (plain !== undefined && plain >= 0)
      r.error(
        ProblemCode.Conflict,
        ['spec', 'ports', plain],
        `several hosts need HTTP or TLS ports, where the Host header or SNI tells them apart; port ${spec.ports?.[plain]?.number} is ${spec.ports?.[plain]?.protocol ?? 'unset (TCP)'}`,
      )
  }
  if (spec.workloadSelector) {
    if (spec.endpoints)
      r.error(
        ProblemCode.Conflict,
        ['spec', 'workloadSelector'],
        'a ServiceEntry has either workloadSelector or endpoints, not both',
        'key',
      )
    if (resolution === 'NONE')
      r.warn(
        ProblemCode.IstioWarning,
        ['spec', 'workloadSelector'],
        'workloadSelector has no use with resolution NONE',
        'key',
      )
    notEmulated(r, ['spec', 'workloadSelector'], 'workloadSelector in a ServiceEntry')
  }
  checkExportTo(r, ['spec', 'exportTo'], spec.exportTo, ns, true)
}

export function toServiceEntry(se: ServiceEntryInput, metadata: ObjectMeta): ServiceEntry {
  const s = se.spec
  return {
    kind: 'ServiceEntry',
    metadata,
    spec: {
      hosts: s.hosts,
      ...(s.addresses ? { addresses: s.addresses } : {}),
      ...(s.ports
        ? {
            ports: s.ports.map((p) => ({
              number: p.number,
              name: p.name,
              ...(p.protocol ? { protocol: p.protocol } : {}),
              ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
            })),
          }
        : {}),
      ...(s.location ? { location: s.location } : {}),
      ...(s.resolution ? { resolution: s.resolution } : {}),
      ...(s.endpoints
        ? {
            endpoints: s.endpoints.map((e) => ({
              address: e.address ?? '',
              ...(e.ports ? { ports: e.ports } : {}),
              ...(e.labels ? { labels: e.labels } : {}),
              ...(e.network !== undefined ? { network: e.network } : {}),
              ...(e.locality !== undefined ? { locality: e.locality } : {}),
              ...(e.weight !== undefined ? { weight: e.weight } : {}),
              ...(e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount } : {}),
            })),
          }
        : {}),
      ...(s.exportTo ? { exportTo: s.exportTo } : {}),
      ...(s.subjectAltNames ? { subjectAltNames: s.subjectAltNames } : {}),
    },
  }
}
