// The DestinationRule spec as zod schemas: host, subsets, and traffic policies (load balancer,
// locality settings, outlier detection, client TLS).

import { z } from 'zod'
import { duration, int32, opaque, port, stringMap, strings, uint32 } from './schema-fields.ts'

const LocalityLbSchema = z.strictObject({
  enabled: z.boolean().optional(),
  distribute: z
    .array(
      z.strictObject({
        from: z.string(),
        to: z.record(z.string(), uint32('a locality weight')),
      }),
    )
    .optional(),
  failover: z.array(z.strictObject({ from: z.string(), to: z.string() })).optional(),
  failoverPriority: strings('label').optional(),
})

const LoadBalancerSchema = z
  .strictObject({
    simple: z
      .enum(['UNSPECIFIED', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN'])
      .optional(),
    consistentHash: opaque('Consistent hashing; accepted, not emulated by meshsim yet.').optional(),
    localityLbSetting: LocalityLbSchema.optional(),
    warmupDurationSecs: duration('warmupDurationSecs').optional(),
    warmup: opaque('Slow start; accepted, not emulated by meshsim yet.').optional(),
  })
  .meta({ id: 'LoadBalancerSettings' })

const OutlierDetectionSchema = z
  .strictObject({
    consecutive5xxErrors: uint32('consecutive5xxErrors').optional(),
    consecutiveGatewayErrors: uint32('consecutiveGatewayErrors').optional(),
    interval: duration('interval').optional(),
    baseEjectionTime: duration('baseEjectionTime').optional(),
    maxEjectionPercent: int32('maxEjectionPercent').optional(),
    // Accepted, not emulated by meshsim yet.
    consecutiveErrors: int32('consecutiveErrors').optional(),
    consecutiveLocalOriginFailures: uint32('consecutiveLocalOriginFailures').optional(),
    splitExternalLocalOriginErrors: z.boolean().optional(),
    minHealthPercent: int32('minHealthPercent').optional(),
  })
  .meta({ id: 'OutlierDetection' })

const ClientTlsSchema = z
  .strictObject({
    mode: z
      .enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'])
      .optional()
      .describe('Default DISABLE.'),
    sni: z.string().optional(),
    subjectAltNames: strings('subject alt name').optional(),
    // Certificates: accepted, not emulated by meshsim yet.
    clientCertificate: z.string().optional(),
    privateKey: z.string().optional(),
    caCertificates: z.string().optional(),
    credentialName: z.string().optional(),
    caCrl: z.string().optional(),
    insecureSkipVerify: z.boolean().optional(),
  })
  .meta({ id: 'ClientTLSSettings' })

const trafficPolicyFields = {
  loadBalancer: LoadBalancerSchema.optional(),
  outlierDetection: OutlierDetectionSchema.optional(),
  tls: ClientTlsSchema.optional(),
  connectionPool: opaque('Connection limits; accepted, not emulated by meshsim yet.').optional(),
  tunnel: opaque('Tunneling; accepted, not emulated by meshsim yet.').optional(),
  proxyProtocol: opaque('PROXY protocol; accepted, not emulated by meshsim yet.').optional(),
}

export const TrafficPolicySchema = z
  .strictObject({
    ...trafficPolicyFields,
    portLevelSettings: z
      .array(
        z.strictObject({
          port: z.strictObject({ number: port('port.number') }).optional(),
          loadBalancer: LoadBalancerSchema.optional(),
          outlierDetection: OutlierDetectionSchema.optional(),
          tls: ClientTlsSchema.optional(),
          connectionPool: trafficPolicyFields.connectionPool,
        }),
      )
      .optional()
      .describe('Per-port policies; accepted, not emulated by meshsim yet.'),
  })
  .meta({ id: 'TrafficPolicy' })

export const DestinationRuleSpecSchema = z.strictObject({
  host: z.string().describe('The Service or ServiceEntry host the rule applies to.'),
  trafficPolicy: TrafficPolicySchema.optional(),
  subsets: z
    .array(
      z.strictObject({
        name: z.string().describe('Referenced by VirtualService destinations.'),
        labels: stringMap('label').optional().describe('Pod labels that select the subset.'),
        trafficPolicy: TrafficPolicySchema.optional(),
      }),
    )
    .optional(),
  exportTo: strings('namespace').optional(),
  workloadSelector: z
    .strictObject({ matchLabels: stringMap('label').optional() })
    .optional()
    .describe('Accepted, not emulated by meshsim yet.'),
})
