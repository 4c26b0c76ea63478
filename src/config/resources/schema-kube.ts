// The core Kubernetes kinds meshsim reads (apiVersion v1): Secret and ConfigMap, with the fields
// kubectl accepts. What istiod makes of them is checked in secret.ts and config-map.ts.

import { z } from 'zod'
import { IstioResourceSchema, MetadataSchema } from './schema.ts'
import { stringMap } from './schema-fields.ts'

const core = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S, what: string) =>
  z
    .strictObject({
      apiVersion: z.literal('v1', `apiVersion of a ${kind} is v1`),
      kind: z.literal(kind),
      metadata: MetadataSchema,
      immutable: z.boolean().optional(),
      ...shape,
    })
    .describe(what)

export const SecretSchema = core(
  'Secret',
  {
    type: z.string().optional(),
    data: stringMap('data').optional().describe('Base64-encoded values.'),
    stringData: stringMap('stringData').optional().describe('Plain values, merged into data.'),
  },
  'A Secret; labelled istio/multiCluster=true in istio-system, its kubeconfigs let istiod watch other clusters.',
)

export const ConfigMapSchema = core(
  'ConfigMap',
  {
    data: stringMap('data').optional(),
    binaryData: stringMap('binaryData').optional(),
  },
  'A ConfigMap; istio-system/istio carries meshConfig (data.mesh) and meshNetworks (data.meshNetworks).',
)

export type SecretInput = z.infer<typeof SecretSchema>
export type ConfigMapInput = z.infer<typeof ConfigMapSchema>

/** Everything a cluster's `resources` may hold: Istio's networking kinds, Secrets, ConfigMaps. */
export const ClusterResourceSchema = z
  .discriminatedUnion('kind', [...IstioResourceSchema.options, SecretSchema, ConfigMapSchema])
  .describe(
    'A resource as kubectl apply takes it: networking.istio.io (v1, v1beta1, v1alpha3) kinds, or a v1 Secret or ConfigMap.',
  )
