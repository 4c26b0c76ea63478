// The VirtualService spec as zod schemas: hosts, gateways, http/tls/tcp routes, matches and
// destinations, and the http features (faults, retries, rewrites) meshsim accepts without emulating.

import { z } from 'zod'
import {
  duration,
  int32,
  opaque,
  percent,
  port,
  stringMap,
  strings,
  uint32,
} from './schema-fields.ts'

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
