// The Gateway spec as zod schemas: the selector and servers, each a port, its hosts and its
// TLS settings.

import { z } from 'zod'
import { port, stringMap, strings, uint32 } from './schema-fields.ts'

const ServerTlsSchema = z.strictObject({
  mode: z
    .enum([
      'PASSTHROUGH',
      'SIMPLE',
      'MUTUAL',
      'AUTO_PASSTHROUGH',
      'ISTIO_MUTUAL',
      'OPTIONAL_MUTUAL',
    ])
    .optional()
    .describe('Default PASSTHROUGH. AUTO_PASSTHROUGH routes by the SNI the caller sets.'),
  // Certificates and TLS tuning: accepted, not emulated by meshsim yet.
  httpsRedirect: z.boolean().optional(),
  serverCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  caCrl: z.string().optional(),
  credentialName: z.string().optional(),
  credentialNames: strings('credential name').optional(),
  subjectAltNames: strings('subject alt name').optional(),
  verifyCertificateSpki: strings('hash').optional(),
  verifyCertificateHash: strings('hash').optional(),
  minProtocolVersion: z.string().optional(),
  maxProtocolVersion: z.string().optional(),
  cipherSuites: strings('cipher suite').optional(),
})

export const GatewaySpecSchema = z.strictObject({
  selector: stringMap('label')
    .optional()
    .describe('Labels of the gateway pods, e.g. istio: eastwestgateway.'),
  servers: z
    .array(
      z.strictObject({
        port: z.strictObject({
          number: port('port.number'),
          protocol: z.string().describe('HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, MONGO...'),
          name: z.string(),
          targetPort: uint32('targetPort').optional(),
        }),
        hosts: strings('host').describe('Hosts exposed: FQDNs, *.local, namespace/host, "*".'),
        tls: ServerTlsSchema.optional(),
        name: z.string().optional(),
        bind: z.string().optional(),
        defaultEndpoint: z.string().optional(),
      }),
    )
    .describe('The ports the gateway listens on and what each exposes.'),
})
