// The Kubernetes workload kinds the guides apply: Namespace, Service, ServiceAccount (v1) and
// Deployment (apps/v1). Only the fields meshsim reads are typed; the rest of what kubectl takes
// (resources, probes, imagePullPolicy...) is accepted as written, so Istio's sample YAML applies
// unchanged.

import { z } from 'zod'
import { MetadataSchema } from './schema.ts'
import { stringMap } from './schema-fields.ts'

const object = <K extends string, V extends string, S extends z.ZodRawShape>(
  apiVersion: V,
  kind: K,
  shape: S,
  what: string,
) =>
  z
    .looseObject({
      apiVersion: z.literal(apiVersion, `apiVersion of a ${kind} is ${apiVersion}`),
      kind: z.literal(kind),
      metadata: MetadataSchema,
      status: z.unknown().optional(),
      ...shape,
    })
    .describe(what)

const ServicePortSchema = z.looseObject({
  name: z.string().optional(),
  port: z.int('port must be a whole number').min(1).max(65535),
  targetPort: z.union([z.int().min(1).max(65535), z.string().min(1)]).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().optional(),
})

export const NamespaceSchema = object(
  'v1',
  'Namespace',
  {},
  'A Namespace; istio-injection=enabled gives its pods sidecars.',
)

export const KubeServiceSchema = object(
  'v1',
  'Service',
  {
    spec: z.looseObject({
      selector: stringMap('selector').optional(),
      ports: z.array(ServicePortSchema).min(1, 'a Service needs at least one port'),
      clusterIP: z.string().optional(),
      type: z.string().optional(),
    }),
  },
  'A Service in front of the pods its selector matches.',
)

export const ServiceAccountSchema = object(
  'v1',
  'ServiceAccount',
  {},
  'A ServiceAccount: the identity its pods get (spiffe://.../sa/NAME).',
)

const ContainerSchema = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1, 'a container needs an image'),
  ports: z
    .array(
      z.looseObject({
        containerPort: z.int().min(1).max(65535),
        name: z.string().optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
      }),
    )
    .optional(),
})

export const DeploymentSchema = object(
  'apps/v1',
  'Deployment',
  {
    spec: z.looseObject({
      replicas: z.int('replicas must be a whole number').min(0).max(1000).optional(),
      selector: z.looseObject({ matchLabels: stringMap('matchLabels').optional() }),
      template: z.looseObject({
        metadata: z
          .looseObject({
            labels: stringMap('label').optional(),
            annotations: stringMap('annotation').optional(),
          })
          .optional(),
        spec: z.looseObject({
          serviceAccountName: z.string().optional(),
          containers: z
            .array(ContainerSchema)
            .min(1, 'a pod template needs at least one container'),
        }),
      }),
    }),
  },
  "A Deployment of one of Istio's sample images, run as meshsim's built-in app.",
)

export type NamespaceInput = z.infer<typeof NamespaceSchema>
export type KubeServiceInput = z.infer<typeof KubeServiceSchema>
export type ServiceAccountInput = z.infer<typeof ServiceAccountSchema>
export type DeploymentInput = z.infer<typeof DeploymentSchema>
