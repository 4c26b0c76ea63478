import { expect, test } from 'vitest'
import { selectProtocol } from '../../../src/model/index.ts'

test.each([
  [{ name: 'http', port: 5000 }, 'HTTP'],
  [{ name: 'http-web', port: 8080 }, 'HTTP'],
  [{ name: 'HTTP2', port: 8080 }, 'HTTP2'],
  [{ name: 'grpc-web', port: 8080 }, 'GRPC-Web'],
  [{ name: 'grpc-api', port: 8080 }, 'GRPC'],
  [{ name: 'tcp-other', port: 9001 }, 'TCP'],
  [{ name: 'web', port: 8080 }, 'UnsupportedProtocol'],
  [{ name: 'db', port: 3306 }, 'TCP'],
  [{ name: 'web', port: 8080, appProtocol: 'http' }, 'HTTP'],
  [{ name: 'tcp', port: 8080, appProtocol: 'kubernetes.io/h2c' }, 'HTTP2'],
  [{ name: 'http', port: 53, protocol: 'UDP' as const }, 'UDP'],
])('port %o is %s, as Istio selects it', (port, protocol) => {
  expect(selectProtocol(port)).toBe(protocol)
})
