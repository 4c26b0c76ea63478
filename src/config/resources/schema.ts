// Istio's networking resources (VirtualService, DestinationRule, ServiceEntry, Gateway) as zod
// schemas: every field the API accepts, with plain messages. Rules that relate fields (route or
// directResponse, unique names, valid hosts) live in the per-kind modules beside this one.

import { z } from 'zod'

export const ISTIO_GROUP = 'networking.istio.io'
export const ISTIO_API_VERSIONS = [
  'networking.istio.io/v1',
  'networking.istio.io/v1beta1',
  'networking.istio.io/v1alpha3',
] as const

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** Go's time.ParseDuration syntax, which Istio's CRDs accept: 10s, 500ms, 1m30s, 0.5s. */
export const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/

const port = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be 1 to 65535`)
    .max(65535, `${what} must be 1 to 65535`)

const int32 = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(-2147483648, `${what} is too large`)
    .max(2147483647, `${what} is too large`)

const uint32 = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(0, `${what} must be 0 or more`)
    .max(4294967295, `${what} is too large`)

const duration = (what: string) =>
  z.string().regex(GO_DURATION, `${what} is a duration such as 10s, 500ms or 1m30s`)

const strings = (what: string) => z.array(z.string(`each ${what} is a string`))
const stringMap = (what: string) => z.record(z.string(), z.string(`${what} values are strings`))
const percent = z.strictObject({ value: z.number('percentage.value must be a number') })
/** A part of the API meshsim accepts as written without looking inside. */
const opaque = (what: string) => z.record(z.string(), z.unknown()).describe(what)

export const MetadataSchema = z.strictObject({
  name: z
    .string()
    .max(253, 'a name has at most 253 characters')
    .regex(
      DNS_SUBDOMAIN,
      "a name must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    ),
  namespace: z
    .string()
    .max(63, 'a namespace has at most 63 characters')
    .regex(
      DNS_LABEL,
      "a namespace must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
    )
    .optional()
    .describe('Defaults to the namespace applied to (kubectl -n), else "default".'),
  labels: stringMap('label').optional(),
  annotations: stringMap('annotation').optional(),
  // Set by the API server; present in `kubectl get -o yaml` output and dropped here.
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.union([z.string(), z.null()]).optional(),
  managedFields: z.array(z.unknown()).optional(),
})

// --- VirtualService ---------------------------------------------------------------------------

export const StringMatchSchema = z
  .strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().optional().describe('RE2 syntax; must match the whole value.'),
  })
  .meta({
    id: 'StringMatch',
    description: 'Exactly one of exact, prefix or regex; {} in headers means "present".',
  })

export const DestinationSchema = z
  .strictObject({
    host: z
      .string()
      .describe('A Service or ServiceEntry host; a short name is relative to the namespace.'),
    subset: z.string().optional().describe("A subset of the host's DestinationRule."),
    port: z.strictObject({ number: port('port.number') }).optional(),
  })
  .meta({ id: 'Destination' })

const HeaderOperationsSchema = z.strictObject({
  set: stringMap('header').optional(),
  add: stringMap('header').optional(),
  remove: strings('header name').optional(),
})
const HeadersSchema = z
  .strictObject({
    request: HeaderOperationsSchema.optional(),
    response: HeaderOperationsSchema.optional(),
  })
  .describe('Header manipulation; accepted, not emulated by meshsim yet.')

const HttpRouteDestinationSchema = z.strictObject({
  destination: DestinationSchema,
  weight: int32('weight')
    .optional()
    .describe('Relative share of traffic; Istio normalizes weights, they need not sum to 100.'),
  headers: HeadersSchema.optional(),
})

const RouteDestinationSchema = z.strictObject({
  destination: DestinationSchema,
  weight: int32('weight').optional(),
})

const HttpMatchSchema = z.strictObject({
  name: z.string().optional(),
  uri: StringMatchSchema.optional(),
  headers: z
    .record(z.string(), StringMatchSchema)
    .optional()
    .describe('Header name (lower case) -> match.'),
  withoutHeaders: z.record(z.string(), StringMatchSchema).optional(),
  port: port('port').optional(),
  sourceLabels: stringMap('label').optional(),
  ignoreUriCase: z.boolean().optional(),
  // Valid Istio, not supported by meshsim yet (refused: dropping them would widen the match).
  scheme: StringMatchSchema.optional(),
  method: StringMatchSchema.optional(),
  authority: StringMatchSchema.optional(),
  queryParams: z.record(z.string(), StringMatchSchema).optional(),
  gateways: strings('gateway').optional(),
  sourceNamespace: z.string().optional(),
  statPrefix: z.string().optional(),
})

const FaultSchema = z.strictObject({
  delay: z
    .strictObject({
      fixedDelay: duration('fixedDelay').optional(),
      exponentialDelay: duration('exponentialDelay').optional(),
      percentage: percent.optional(),
      percent: int32('percent').optional(),
    })
    .optional(),
  abort: z
    .strictObject({
      httpStatus: int32('httpStatus').optional(),
      grpcStatus: z.string().optional(),
      http2Error: z.string().optional(),
      percentage: percent.optional(),
    })
    .optional(),
})

const RetriesSchema = z.strictObject({
  attempts: int32('attempts').optional(),
  perTryTimeout: duration('perTryTimeout').optional(),
  retryOn: z.string().optional(),
  retryRemoteLocalities: z.boolean().optional(),
  backoff: duration('backoff').optional(),
})

const RewriteSchema = z.strictObject({
  uri: z.string().optional(),
  authority: z.string().optional(),
  uriRegexRewrite: z.strictObject({ match: z.string(), rewrite: z.string() }).optional(),
})

const DirectResponseSchema = z.strictObject({
  status: z
    .int('status must be a whole number')
    .min(200, 'status must be an HTTP status from 200 to 600')
    .max(600, 'status must be an HTTP status from 200 to 600'),
  body: z
    .strictObject({
      string: z.string().optional(),
      bytes: z.string().optional().describe('Base64.'),
    })
    .optional(),
})

export const HttpRouteSchema = z.strictObject({
  name: z.string().optional(),
  match: z.array(HttpMatchSchema).optional().describe('Any one matching selects the route.'),
  route: z.array(HttpRouteDestinationSchema).optional(),
  directResponse: DirectResponseSchema.optional(),
  // Valid Istio; redirect and delegate are refused, the others accepted and not emulated yet.
  redirect: z
    .strictObject({
      uri: z.string().optional(),
      authority: z.string().optional(),
      port: port('port').optional(),
      derivePort: z.enum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']).optional(),
      scheme: z.string().optional(),
      redirectCode: uint32('redirectCode').optional(),
    })
    .optional(),
  delegate: z.strictObject({ name: z.string(), namespace: z.string().optional() }).optional(),
  rewrite: RewriteSchema.optional(),
  timeout: duration('timeout').optional(),
  retries: RetriesSchema.optional(),
  fault: FaultSchema.optional(),
  mirror: DestinationSchema.optional(),
  mirrors: z
    .array(z.strictObject({ destination: DestinationSchema, percentage: percent.optional() }))
    .optional(),
  mirrorPercentage: percent.optional(),
  mirrorPercent: uint32('mirrorPercent').optional(),
  corsPolicy: opaque('CORS policy; accepted, not emulated by meshsim yet.').optional(),
  headers: HeadersSchema.optional(),
})

const TlsMatchSchema = z.strictObject({
  sniHosts: strings('SNI host').describe('SNI values to match; wildcards allowed.'),
  port: port('port').optional(),
  gateways: strings('gateway').optional(),
  destinationSubnets: strings('subnet').optional(),
  sourceLabels: stringMap('label').optional(),
  sourceNamespace: z.string().optional(),
})

const TcpMatchSchema = z.strictObject({
  port: port('port').optional(),
  gateways: strings('gateway').optional(),
  destinationSubnets: strings('subnet').optional(),
  sourceLabels: stringMap('label').optional(),
  sourceNamespace: z.string().optional(),
  sourceSubnet: z.string().optional(),
})

export const VirtualServiceSpecSchema = z.strictObject({
  hosts: strings('host')
    .optional()
    .describe('Hosts the rules apply to: Service names, FQDNs, wildcards (*.example.com).'),
  gateways: strings('gateway')
    .optional()
    .describe('Gateways (namespace/name) and/or "mesh" (sidecars). Absent: mesh only.'),
  http: z.array(HttpRouteSchema).optional(),
  tls: z
    .array(
      z.strictObject({ match: z.array(TlsMatchSchema), route: z.array(RouteDestinationSchema) }),
    )
    .optional(),
  tcp: z
    .array(
      z.strictObject({
        match: z.array(TcpMatchSchema).optional(),
        route: z.array(RouteDestinationSchema),
      }),
    )
    .optional(),
  exportTo: strings('namespace').optional(),
})

// --- DestinationRule --------------------------------------------------------------------------

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

// --- ServiceEntry -----------------------------------------------------------------------------

const WorkloadEntrySchema = z.strictObject({
  address: z.string().optional().describe('An IP, or a host name with resolution DNS.'),
  ports: z
    .record(z.string(), port('an endpoint port'))
    .optional()
    .describe('Service port name -> port on this endpoint.'),
  labels: stringMap('label').optional(),
  network: z.string().optional(),
  locality: z.string().optional(),
  weight: uint32('weight').optional(),
  serviceAccount: z.string().optional(),
})

export const ServiceEntrySpecSchema = z.strictObject({
  hosts: strings('host').describe('Host names; wildcards (*.example.com) allowed.'),
  addresses: strings('address').optional().describe('Virtual IPs or CIDRs of the service.'),
  ports: z
    .array(
      z.strictObject({
        number: port('number'),
        protocol: z
          .string()
          .optional()
          .describe('HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, MONGO, REDIS, MYSQL...'),
        name: z.string().describe('A DNS label; endpoints name ports by it.'),
        targetPort: port('targetPort').optional(),
      }),
    )
    .optional(),
  location: z
    .enum(['MESH_EXTERNAL', 'MESH_INTERNAL'])
    .optional()
    .describe('Default MESH_EXTERNAL.'),
  resolution: z
    .enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'])
    .optional()
    .describe('Default NONE.'),
  endpoints: z.array(WorkloadEntrySchema).optional(),
  workloadSelector: z
    .strictObject({ labels: stringMap('label').optional() })
    .optional()
    .describe('Accepted, not emulated by meshsim yet.'),
  exportTo: strings('namespace').optional(),
  subjectAltNames: strings('subject alt name').optional(),
})

// --- Gateway ----------------------------------------------------------------------------------

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

// --- Resources --------------------------------------------------------------------------------

const resource = <K extends string, S extends z.ZodType>(kind: K, spec: S, what: string) =>
  z
    .strictObject({
      apiVersion: z.enum(
        ISTIO_API_VERSIONS,
        `apiVersion must be one of ${ISTIO_API_VERSIONS.join(', ')}`,
      ),
      kind: z.literal(kind),
      metadata: MetadataSchema,
      spec,
      status: z.unknown().optional().describe('Written by Istio; ignored.'),
    })
    .describe(what)

export const VirtualServiceSchema = resource(
  'VirtualService',
  VirtualServiceSpecSchema,
  'Routing rules for hosts: matches, weighted destinations, direct responses.',
)
export const DestinationRuleSchema = resource(
  'DestinationRule',
  DestinationRuleSpecSchema,
  'Policies for traffic to a host once routed: subsets, load balancing, TLS.',
)
export const ServiceEntrySchema = resource(
  'ServiceEntry',
  ServiceEntrySpecSchema,
  "Adds a service to the mesh's registry (e.g. *.global hosts reached through gateways).",
)
export const GatewaySchema = resource(
  'Gateway',
  GatewaySpecSchema,
  'Ports a gateway exposes, e.g. the east-west gateway on 15443 with AUTO_PASSTHROUGH.',
)

export const IstioResourceSchema = z
  .discriminatedUnion('kind', [
    VirtualServiceSchema,
    DestinationRuleSchema,
    ServiceEntrySchema,
    GatewaySchema,
  ])
  .describe(
    'An Istio resource as kubectl apply takes it (networking.istio.io v1, v1beta1, v1alpha3).',
  )

export type VirtualServiceInput = z.infer<typeof VirtualServiceSchema>
export type DestinationRuleInput = z.infer<typeof DestinationRuleSchema>
export type ServiceEntryInput = z.infer<typeof ServiceEntrySchema>
export type GatewayInput = z.infer<typeof GatewaySchema>
export type MetadataInput = z.infer<typeof MetadataSchema>
export type StringMatchInput = z.infer<typeof StringMatchSchema>
export type DestinationInput = z.infer<typeof DestinationSchema>
export type TrafficPolicyInput = z.infer<typeof TrafficPolicySchema>
export type HttpRouteInput = z.infer<typeof HttpRouteSchema>
