// The topology file format (apiVersion meshsim.dev/v1alpha1, kind Mesh) as a zod schema: the one
// source for validation and for the JSON Schema that `meshsim schema` prints for editors.
// Field names follow Istio's where Istio has them (meshID, clusterName, network, remotePilotAddress,
// meshNetworks). Cross-references between fields are checked in references.ts, not here.

import { z } from 'zod'
import { DNS_1123_LABEL } from '../model/index.ts'
import { ClusterResourceSchema } from './resources/schema-kube.ts'

export const API_VERSION = 'meshsim.dev/v1alpha1'

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DURATION = /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/

const label = (what: string) =>
  z
    .string()
    .max(63, `a ${what} has at most 63 characters`)
    .regex(
      DNS_1123_LABEL,
      `a ${what} must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
    )

const ipv4 = (what: string) => z.ipv4(`${what} must be an IPv4 address such as 192.168.1.246`)

const cidr = (what: string) => z.cidrv4(`${what} must be an IPv4 CIDR such as 10.10.0.0/16`)

const port = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be 1 to 65535`)
    .max(65535, `${what} must be 1 to 65535`)

const keyAlgorithm = z
  .enum(['ECDSA', 'RSA'])
  .describe("ECDSA P-256 or RSA (2048 for workloads, as Istio's agent; 4096 for a generated root).")

export const ServicePortSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .describe(
        'Port name. Its prefix selects the protocol when appProtocol is absent: http, http2, https, grpc, grpc-web, tcp, tls, mongo, redis, mysql; http-web is HTTP.',
      ),
    port: port('port').describe('The Service port callers dial.'),
    targetPort: port('targetPort')
      .optional()
      .describe('The container port the app listens on; defaults to port.'),
    appProtocol: z
      .string()
      .min(1)
      .optional()
      .describe('Overrides the protocol the name implies, as Kubernetes appProtocol.'),
    protocol: z.enum(['TCP', 'UDP']).optional().describe('Transport; TCP unless UDP.'),
  })
  .describe('A Service port, as in a Kubernetes Service.')

export const SAMPLE_APPS = ['helloworld', 'sleep', 'httpbin', 'tcp-echo'] as const

export const WorkloadSchema = z
  .strictObject({
    app: label('app name').describe('The app label; also the Service name.'),
    namespace: label('namespace')
      .optional()
      .describe('Namespace of the Deployment and its Service; default "default".'),
    version: label('version').optional().describe('The version label, e.g. v1.'),
    sample: z.enum(SAMPLE_APPS).describe('Which built-in sample app runs in the pods.'),
    replicas: z
      .int('replicas must be a whole number')
      .min(0, 'replicas must be 0 or more')
      .max(1000, 'replicas must be at most 1000')
      .optional()
      .describe('Number of pods; default 1. 0 keeps the Service without pods.'),
    serviceAccount: label('service account')
      .optional()
      .describe(
        'Defaults to the sample\'s own: helloworld and tcp-echo use "default", sleep "sleep", httpbin "httpbin".',
      ),
    clusterIP: ipv4('clusterIP')
      .optional()
      .describe(
        "The Service's ClusterIP; must lie in the cluster's serviceCIDR. Assigned when absent.",
      ),
    ports: z
      .array(ServicePortSchema)
      .min(1, "a workload needs at least one port; omit ports to use the sample's")
      .optional()
      .describe(
        "The Service ports; default: the sample's (helloworld http 5000, httpbin http 8000 -> 8080, sleep http 80, tcp-echo tcp 9000 and tcp-other 9001).",
      ),
  })
  .describe('A Deployment of a sample app and the Service in front of it.')

const PrimarySchema = z.strictObject({ mode: z.literal('primary') })
const RemoteSchema = z.strictObject({
  mode: z.literal('remote'),
  primary: label('cluster name').describe(
    'The primary cluster whose control plane configures this one.',
  ),
  remotePilotAddress: ipv4('remotePilotAddress')
    .optional()
    .describe(
      "Where proxies reach istiod: the primary's east-west gateway address (global.remotePilotAddress).",
    ),
})

export const ClusterSchema = z
  .strictObject({
    clusterName: label('cluster name').describe(
      "The cluster's name, as global.multiCluster.clusterName.",
    ),
    network: label('network name').describe(
      "The network the cluster's pods are on, as global.network.",
    ),
    controlPlane: z
      .discriminatedUnion(
        'mode',
        [PrimarySchema, RemoteSchema],
        'controlPlane.mode must be "primary" or "remote"',
      )
      .optional()
      .describe(
        "primary: runs its own istiod. remote: configured by a primary's istiod. Default primary.",
      ),
    podCIDR: cidr('podCIDR').describe('Pod addresses, e.g. 10.10.0.0/16.'),
    serviceCIDR: cidr('serviceCIDR').describe('ClusterIP addresses, e.g. 10.96.0.0/16.'),
    locality: z
      .strictObject({
        region: z.string().min(1),
        zone: z.string().min(1).optional(),
        subzone: z.string().min(1).optional(),
      })
      .optional()
      .describe("topology.kubernetes.io/region and zone of the cluster's nodes."),
    eastWestGateway: z
      .strictObject({
        address: ipv4('eastWestGateway.address').describe(
          "The gateway's public address as other networks see it (its LoadBalancer IP).",
        ),
        port: port('eastWestGateway.port')
          .optional()
          .describe('The AUTO_PASSTHROUGH mTLS port; default 15443.'),
        deployment: z
          .enum(['istio-eastwestgateway', 'istio-ingressgateway'])
          .optional()
          .describe(
            "istio-eastwestgateway (default): gen-eastwest-gateway.sh plus expose-services.yaml, labels istio=eastwestgateway. istio-ingressgateway: the older guides' ingress gateway, labels istio=ingressgateway, exposing only what Gateway resources say.",
          ),
      })
      .optional()
      .describe(
        'The east-west gateway of gen-eastwest-gateway.sh, exposing *.local with AUTO_PASSTHROUGH.',
      ),
    multiclusterGateways: z
      .strictObject({
        ingressGateway: z.strictObject({
          address: ipv4('multiclusterGateways.ingressGateway.address').describe(
            "istio-ingressgateway's LoadBalancer address, which other clusters' ServiceEntries name ($CLUSTER2_GW_ADDR).",
          ),
          port: port('multiclusterGateways.ingressGateway.port')
            .optional()
            .describe('The AUTO_PASSTHROUGH mTLS port serving *.global; default 15443.'),
        }),
        egressGateway: z
          .strictObject({
            clusterIP: ipv4('multiclusterGateways.egressGateway.clusterIP')
              .optional()
              .describe(
                "istio-egressgateway's ClusterIP ($CLUSTER1_EGW_ADDR), inside serviceCIDR; assigned when absent.",
              ),
          })
          .optional(),
      })
      .optional()
      .describe(
        'The replicated-control-plane install of Istio 1.1-1.8 (values-istio-multicluster-gateways.yaml): ingress and egress gateways preconfigured for *.global on 15443, the *.global ISTIO_MUTUAL DestinationRule, istiocoredns stubbed as the global DNS zone, pods searching global and <ns>.global.',
      ),
    remoteSecrets: z
      .array(label('cluster name'))
      .optional()
      .describe(
        "Clusters this cluster's istiod holds remote secrets for (istioctl create-remote-secret), and so discovers.",
      ),
    cacerts: z
      .string()
      .min(1)
      .optional()
      .describe(
        'An Istio plug-in CA folder (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem), relative to this file.',
      ),
    workloads: z.array(WorkloadSchema).optional().describe('Deployments and their Services.'),
    resources: z
      .array(ClusterResourceSchema)
      .optional()
      .describe(
        'Resources applied in this cluster at start, as kubectl apply --context would: VirtualService, DestinationRule, ServiceEntry, Gateway, and the v1 Secret (remote secrets) and ConfigMap (istio-system/istio). Without metadata.namespace a resource lands in default.',
      ),
  })
  .describe('A Kubernetes cluster with Istio installed.')

export const MeshNetworkSchema = z.strictObject({
  endpoints: z
    .array(
      z.union(
        [
          z.strictObject({
            fromRegistry: z
              .string()
              .min(1)
              .describe('A cluster name (the registry of that cluster).'),
          }),
          z.strictObject({ fromCidr: cidr('fromCidr') }),
        ],
        'each endpoints entry has exactly one of fromRegistry or fromCidr',
      ),
    )
    .min(1, 'a meshNetworks network needs at least one endpoints entry'),
  gateways: z.array(
    z.union(
      [
        z.strictObject({
          address: z.string().min(1),
          port: port('port'),
          locality: z.string().optional(),
        }),
        z.strictObject({
          registryServiceName: z.string().min(1),
          port: port('port'),
          locality: z.string().optional(),
        }),
      ],
      'each gateways entry has exactly one of address or registryServiceName, plus port',
    ),
  ),
})

const RootSchema = z.union(
  [
    z.strictObject({ generate: z.strictObject({ keyAlgorithm: keyAlgorithm.optional() }) }),
    z.strictObject({
      certFile: z.string().min(1).describe('root-cert.pem, relative to this file.'),
      keyFile: z
        .string()
        .min(1)
        .optional()
        .describe('root-key.pem; needed unless every cluster brings cacerts.'),
    }),
  ],
  'ca.root is either generate: {} or certFile (and keyFile)',
)

export const SpecSchema = z.strictObject({
  meshID: label('meshID').optional().describe('global.meshID; default: metadata.name.'),
  trustDomain: z
    .string()
    .regex(
      DNS_SUBDOMAIN,
      'trustDomain must be lower-case DNS labels joined by dots, e.g. cluster.local',
    )
    .optional()
    .describe('The SPIFFE trust domain of workload identities; default cluster.local.'),
  ca: z
    .strictObject({
      root: RootSchema.optional().describe(
        'The shared root: generated (default) or loaded from files.',
      ),
      workloadKeyAlgorithm: keyAlgorithm
        .optional()
        .describe('Key type of workload certificates; default ECDSA.'),
      workloadCertTTL: z
        .string()
        .regex(DURATION, 'workloadCertTTL is a duration such as 24h, 90m or 1h30m')
        .refine((s) => durationMs(s) > 0, 'workloadCertTTL must be longer than 0s')
        .optional()
        .describe('Lifetime of workload certificates; default 24h.'),
    })
    .optional()
    .describe("The mesh PKI: one root, one intermediate per cluster (Istio's plug-in CA)."),
  networks: z
    .array(z.strictObject({ name: label('network name') }))
    .min(1, 'declare at least one network')
    .describe('The networks; pods on one network reach each other directly.'),
  clusters: z.array(ClusterSchema).min(1, 'declare at least one cluster'),
  meshNetworks: z
    .record(label('network name'), MeshNetworkSchema)
    .optional()
    .describe("Istio's meshNetworks, for the older topologies that configure networks by hand."),
  istioVersion: z
    .string()
    .regex(/^1\.(\d|[1-9]\d)$/, 'istioVersion is an Istio minor release such as 1.4 or 1.24')
    .optional()
    .describe(
      'The Istio release whose behaviour to emulate where it changed (cluster names, AUTO_PASSTHROUGH, network views, default load balancer); default 1.24. Older guides pin theirs, e.g. 1.4.',
    ),
  meshConfig: z
    .strictObject({
      serviceSettings: z
        .array(
          z.strictObject({
            hosts: z.array(z.string().min(1)).min(1),
            settings: z.strictObject({ clusterLocal: z.boolean().optional() }),
          }),
        )
        .optional()
        .describe(
          'Per-host settings; clusterLocal keeps callers on endpoints of their own cluster.',
        ),
    })
    .optional()
    .describe("The parts of Istio's meshConfig meshsim honours, as in the istio ConfigMap."),
})

export const MeshDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, `apiVersion must be ${API_VERSION}`),
    kind: z.literal('Mesh', 'kind must be Mesh'),
    metadata: z.strictObject({ name: label('mesh name') }),
    spec: SpecSchema,
  })
  .describe(
    'A meshsim topology: the clusters, networks and workloads of an Istio multicluster mesh.',
  )

export type MeshDocument = z.infer<typeof MeshDocumentSchema>
export type ClusterInput = z.infer<typeof ClusterSchema>

/** The JSON Schema of the topology format, for editors (yaml-language-server). */
export function topologyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(MeshDocumentSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://meshsim.dev/schemas/v1alpha1/mesh.json',
    title: 'meshsim Mesh',
  }
}

/** Parses a Go-style duration (24h, 90m, 1h30m, 45s) into milliseconds. */
export function durationMs(s: string): number {
  const m = DURATION.exec(s)
  if (!m) return Number.NaN
  const n = (g: string | undefined) => (g ? Number.parseInt(g, 10) : 0)
  return ((n(m[1]) * 60 + n(m[2])) * 60 + n(m[3])) * 1000
}
