// Istio's networking resources (VirtualService, DestinationRule, ServiceEntry, Gateway) as zod
// schemas: every field the API accepts, with plain messages. Rules that relate fields (route or
// directResponse, unique names, valid hosts) live in the per-kind modules beside this one.

import { z } from 'zod'
import { DestinationRuleSpecSchema, type TrafficPolicySchema } from './schema-destination-rule.ts'
import { DNS_LABEL, DNS_SUBDOMAIN, stringMap } from './schema-fields.ts'
import { GatewaySpecSchema } from './schema-gateway.ts'
import { ServiceEntrySpecSchema } from './schema-service-entry.ts'
import {
  type DestinationSchema,
  type HttpRouteSchema,
  type StringMatchSchema,
  VirtualServiceSpecSchema,
} from './schema-virtual-service.ts'

export const ISTIO_GROUP = 'networking.istio.io'
export const ISTIO_API_VERSIONS = [
  'networking.istio.io/v1',
  'networking.istio.io/v1beta1',
  'networking.istio.io/v1alpha3',
] as const

export { GO_DURATION } from './schema-fields.ts'

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
