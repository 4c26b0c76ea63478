// Gateway checks after Istio's ValidateGateway and validateServer (name, servers, ports, hosts,
// TLS settings against the port's protocol) and the conversion to the model.

import type { Gateway, ObjectMeta } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { isIpAddress, isLabel, wildcardDomainProblem } from './hosts.ts'
import type { Path, Report } from './report.ts'
import type { GatewayInput } from './schema.ts'
import {
  isHttpProtocol,
  isProtocol,
  isTlsProtocol,
  notEmulated,
  protocolProblem,
  unsupported,
} from './values.ts'

type Server = GatewayInput['spec']['servers'][number]
type ServerTls = NonNullable<Server['tls']>

const CERT_FIELDS = [
  'serverCertificate',
  'privateKey',
  'caCertificates',
  'caCrl',
  'credentialName',
  'credentialNames',
] as const

/** Istio's ValidateNamespaceSlashWildcardHostname for gateways: [namespace/]host. */
function serverHostProblem(h: string): string | undefined {
  const slash = h.indexOf('/')
  let host = h
  if (slash >= 0) {
    const ns = h.slice(0, slash)
    host = h.slice(slash + 1)
    if (ns === '' || host === '') return 'namespace and host on either side of "/" cannot be empty'
    if (ns !== '*' && ns !== '.' && !isLabel(ns))
      return `"${ns}" is not a namespace; use a namespace name, "." or "*"`
  }
  if (host !== '*' && !host.includes('.'))
    return `"${host}" is a short name; gateways need fully qualified hosts such as ${host}.example.com, or "*"`
  const why = wildcardDomainProblem(host)
  if (why && !isIpAddress(host)) return why
  if (host.includes('*') && host !== '*' && !host.startsWith('*.'))
    return `"${host}" has a partial wildcard; only "*.example.com" is allowed`
  return undefined
}

function checkTls(r: Report, path: Path, tls: ServerTls): void {
  const mode = tls.mode ?? 'PASSTHROUGH'
  const has = (f: (typeof CERT_FIELDS)[number]) =>
    tls[f] !== undefined && tls[f] !== '' && !(Array.isArray(tls[f]) && tls[f].length === 0)
  if (mode === 'ISTIO_MUTUAL') {
    const f = CERT_FIELDS.find((c) => c !== 'caCrl' && has(c))
    if (f)
      r.error(
        ProblemCode.Conflict,
        [...path, f],
        `mode ISTIO_MUTUAL uses the mesh's certificates; ${f} cannot be set`,
        'key',
      )
  }
  if ((mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') && CERT_FIELDS.some(has))
    r.warn(
      ProblemCode.Ignored,
      [...path, 'mode'],
      `mode ${mode} does not terminate TLS; Istio ignores the certificates given`,
      'key',
    )
  if (mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
    const credential = has('credentialName') || has('credentialNames')
    if (!credential) {
      if (!has('serverCertificate'))
        r.error(
          ProblemCode.MissingField,
          [...path, 'mode'],
          `mode ${mode} needs serverCertificate or credentialName`,
        )
      if (!has('privateKey'))
        r.error(
          ProblemCode.MissingField,
          [...path, 'mode'],
          `mode ${mode} needs privateKey or credentialName`,
        )
      if (mode !== 'SIMPLE' && !has('caCertificates'))
        r.error(
          ProblemCode.MissingField,
          [...path, 'mode'],
          `mode ${mode} needs caCertificates (the client CA bundle)`,
        )
    }
  }
  if (mode === 'OPTIONAL_MUTUAL')
    unsupported(r, [...path, 'mode'], 'mode OPTIONAL_MUTUAL', 'use MUTUAL or SIMPLE')
  const extras = [
    ...CERT_FIELDS,
    'subjectAltNames',
    'verifyCertificateSpki',
    'verifyCertificateHash',
    'minProtocolVersion',
    'maxProtocolVersion',
    'cipherSuites',
  ] as const
  for (const f of extras) if (tls[f] !== undefined) notEmulated(r, [...path, f], `tls.${f}`)
}

function checkServer(r: Report, path: Path, s: Server): void {
  if (s.hosts.length === 0)
    r.error(ProblemCode.MissingField, [...path, 'hosts'], 'a server needs at least one host')
  s.hosts.forEach((h, k) => {
    const why = serverHostProblem(h)
    if (why) r.error(ProblemCode.BadHost, [...path, 'hosts', k], `host "${h}" is not valid: ${why}`)
  })
  const p = s.port
  if (!isProtocol(p.protocol))
    r.error(ProblemCode.BadValue, [...path, 'port', 'protocol'], protocolProblem(p.protocol))
  if (p.name === '')
    r.error(ProblemCode.MissingField, [...path, 'port', 'name'], 'the port needs a name')
  if (p.targetPort !== undefined && p.targetPort > 0)
    r.error(
      ProblemCode.BadValue,
      [...path, 'port', 'targetPort'],
      'targetPort has no effect on Gateways; remove it',
      'key',
    )
  const tlsPort = isTlsProtocol(p.protocol)
  if (tlsPort && !s.tls)
    r.error(
      ProblemCode.MissingField,
      path,
      `a ${p.protocol} server needs tls settings (mode PASSTHROUGH, AUTO_PASSTHROUGH, SIMPLE...)`,
    )
  else if (!tlsPort && s.tls && isProtocol(p.protocol)) {
    const mode = s.tls.mode ?? 'PASSTHROUGH'
    // On HTTP ports only the httpsRedirect form (mode left at PASSTHROUGH) is allowed.
    const redirectOnly = isHttpProtocol(p.protocol) && mode === 'PASSTHROUGH'
    if (!redirectOnly)
      r.error(
        ProblemCode.Conflict,
        [...path, 'tls', ...(s.tls.mode ? ['mode'] : [])],
        `tls mode ${mode} needs a port with protocol TLS (or HTTPS); this port is ${p.protocol}`,
      )
  }
  if (s.tls) checkTls(r, [...path, 'tls'], s.tls)
  if (s.tls?.httpsRedirect && !isHttpProtocol(p.protocol))
    r.warn(
      ProblemCode.IstioWarning,
      [...path, 'tls', 'httpsRedirect'],
      'httpsRedirect is meant for HTTP servers',
      'key',
    )
  if (s.tls?.httpsRedirect !== undefined)
    notEmulated(r, [...path, 'tls', 'httpsRedirect'], 'httpsRedirect')
  if (s.bind !== undefined) notEmulated(r, [...path, 'bind'], 'bind')
  if (s.defaultEndpoint !== undefined)
    notEmulated(r, [...path, 'defaultEndpoint'], 'defaultEndpoint')
}

export function checkGateway(gw: GatewayInput, _ns: string, r: Report): void {
  if (!isLabel(gw.metadata.name))
    r.error(
      ProblemCode.BadValue,
      ['metadata', 'name'],
      `a Gateway's name must be a DNS label (no dots): letters, digits and '-', at most 63`,
    )
  const servers = gw.spec.servers
  if (servers.length === 0)
    r.error(ProblemCode.MissingField, ['spec', 'servers'], 'a Gateway needs at least one server')
  const names = new Map<string, number>()
  servers.forEach((s, i) => {
    checkServer(r, ['spec', 'servers', i], s)
    const first = names.get(s.port.name)
    if (first !== undefined)
      r.error(
        ProblemCode.Duplicate,
        ['spec', 'servers', i, 'port', 'name'],
        `port name "${s.port.name}" is already used by servers[${first}]; port names are unique in a Gateway`,
      )
    else names.set(s.port.name, i)
  })
}

export function toGateway(gw: GatewayInput, metadata: ObjectMeta): Gateway {
  return {
    kind: 'Gateway',
    metadata,
    spec: {
      selector: gw.spec.selector ?? {},
      servers: gw.spec.servers.map((s) => ({
        port: { number: s.port.number, name: s.port.name, protocol: s.port.protocol },
        hosts: s.hosts,
        ...(s.tls
          ? {
              tls: {
                mode: s.tls.mode === 'OPTIONAL_MUTUAL' ? 'MUTUAL' : (s.tls.mode ?? 'PASSTHROUGH'),
              },
            }
          : {}),
        ...(s.name !== undefined ? { name: s.name } : {}),
      })),
    },
  }
}
