// Istio's protocol selection for a Service port (istio pkg/config/kube/conversion.go):
// UDP first, then appProtocol, then the port name's prefix; unknown means auto-detect.

import type { Protocol } from './mesh.ts'

const BY_NAME: Readonly<Record<string, Protocol>> = {
  http: 'HTTP',
  http2: 'HTTP2',
  https: 'HTTPS',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http_proxy: 'HTTP_PROXY',
  tcp: 'TCP',
  tls: 'TLS',
  udp: 'UDP',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
}

const APP_PROTOCOL_ALIASES: Readonly<Record<string, Protocol>> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
}

// Ports that default to TCP when the name says nothing (SMTP, DNS, MySQL, MongoDB).
const TCP_BY_DEFAULT = new Set([25, 53, 3306, 27017])

function parse(s: string): Protocol | undefined {
  const lower = s.toLowerCase()
  return APP_PROTOCOL_ALIASES[lower] ?? BY_NAME[lower]
}

/** The protocol Istio selects for a Service port. */
export function selectProtocol(port: {
  name?: string
  port: number
  appProtocol?: string
  protocol?: 'TCP' | 'UDP'
}): Protocol {
  if (port.protocol === 'UDP') return 'UDP'
  if (port.appProtocol !== undefined) {
    const p = parse(port.appProtocol)
    if (p) return p
  }
  const name = (port.name ?? '').toLowerCase()
  if (name.startsWith('grpc-web')) return 'GRPC-Web'
  const p = parse(name.split('-')[0] ?? '')
  if (p) return p
  return TCP_BY_DEFAULT.has(port.port) ? 'TCP' : 'UnsupportedProtocol'
}

const HTTP_FAMILY: ReadonlySet<Protocol> = new Set([
  'HTTP',
  'HTTP2',
  'HTTP_PROXY',
  'GRPC',
  'GRPC-Web',
])

/** Whether Istio proxies this protocol per request (HTTP family) rather than as a byte stream. */
export function isHttpProtocol(p: Protocol): boolean {
  return HTTP_FAMILY.has(p)
}
