// JSON Schemas of the inspection routes (proxies, config dumps, proxy status, remote clusters,
// resources, records). The CLI's `-o json` prints these bodies, so they are the output's contract.

/** An object whose listed fields are typed and whose other fields pass through as they are. */
const open = (properties: Record<string, unknown>, required: readonly string[] = []) =>
  ({ type: 'object', required, properties, additionalProperties: true }) as const

/** A response body `{ items: [ITEM, ...] }`. */
const listOf = (item: object) =>
  ({
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: item } },
  }) as const

const str = { type: 'string' } as const
const int = { type: 'integer' } as const

export const proxyListSchema = listOf({
  type: 'object',
  required: ['cluster', 'namespace', 'pod', 'type', 'ip'],
  properties: {
    cluster: str,
    namespace: str,
    pod: str,
    type: { type: 'string', enum: ['sidecar', 'router'] },
    ip: str,
    version: int,
  },
})

const certificate = {
  type: 'object',
  required: ['subject', 'issuer', 'serialNumber', 'notBefore', 'notAfter', 'uris'],
  properties: {
    subject: str,
    issuer: str,
    serialNumber: str,
    notBefore: str,
    notAfter: str,
    uris: { type: 'array', items: str },
  },
} as const

export const proxyDumpSchema = {
  type: 'object',
  required: ['node', 'secrets', 'ejected'],
  properties: {
    ejected: { type: 'array', items: str },
    node: open(
      { id: str, type: str, cluster: str, network: str, namespace: str, pod: str, ip: str },
      ['id', 'type', 'cluster', 'network', 'namespace', 'pod', 'ip'],
    ),
    config: open(
      {
        version: int,
        listeners: { type: 'array', items: open({ kind: str, name: str, port: int }) },
        routes: { type: 'array', items: open({ name: str }) },
        clusters: { type: 'array', items: open({ name: str, type: str }) },
        endpoints: {
          type: 'array',
          items: open({
            clusterName: str,
            endpoints: {
              type: 'array',
              items: open({ address: str, port: int, weight: int, locality: str }),
            },
          }),
        },
      },
      ['version', 'listeners', 'routes', 'clusters', 'endpoints'],
    ),
    secrets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type', 'status', 'validCert', 'certificates'],
        properties: {
          name: str,
          type: str,
          status: str,
          validCert: { type: 'boolean' },
          certificates: { type: 'array', items: certificate },
        },
      },
    },
  },
} as const

export const proxyStatusSchema = listOf({
  type: 'object',
  required: [
    'cluster',
    'namespace',
    'pod',
    'type',
    'controlPlane',
    'status',
    'latest',
    'istiod',
    'istioVersion',
  ],
  properties: {
    cluster: str,
    namespace: str,
    pod: str,
    type: { type: 'string', enum: ['sidecar', 'router'] },
    controlPlane: str,
    status: { type: 'string', enum: ['SYNCED', 'STALE', 'NOT SENT'] },
    version: int,
    latest: int,
    detail: str,
    istiod: str,
    istioVersion: str,
  },
})

export const remoteClustersSchema = listOf({
  type: 'object',
  required: ['cluster', 'istiod', 'name', 'secret', 'status'],
  properties: { cluster: str, istiod: str, name: str, secret: str, status: str },
})

export const resourceListSchema = listOf(
  open({ kind: str, metadata: open({ name: str, namespace: str }, ['name', 'namespace']) }, [
    'kind',
    'metadata',
  ]),
)

export const recordSchema = open(
  { proxy: str, namespace: str, cluster: str, direction: str, responseCode: int },
  ['proxy', 'namespace', 'cluster', 'direction', 'responseCode'],
)

export const serviceListSchema = listOf({
  type: 'object',
  required: ['cluster', 'namespace', 'name', 'host', 'clusterIP', 'ports'],
  properties: {
    cluster: str,
    namespace: str,
    name: str,
    host: str,
    clusterIP: str,
    ports: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'port', 'targetPort', 'protocol'],
        properties: { name: str, port: int, targetPort: int, protocol: str },
      },
    },
  },
})

export const serviceDescriptionSchema = open(
  {
    cluster: str,
    name: str,
    namespace: str,
    ports: { type: 'array', items: open({ name: str, port: int, targetPort: int, protocol: str }) },
    destinationRule: open({
      name: str,
      host: str,
      matchingSubsets: { type: 'array', items: str },
      nonMatchingSubsets: { type: 'array', items: str },
      tlsMode: str,
    }),
    virtualService: open({
      name: str,
      httpRoutes: {
        type: 'array',
        items: open({
          match: str,
          destinations: { type: 'array', items: open({ host: str, subset: str, weight: int }) },
        }),
      },
    }),
  },
  ['cluster', 'name', 'namespace', 'ports'],
)

export const podDescriptionSchema = open(
  {
    cluster: str,
    namespace: str,
    pod: str,
    labels: { type: 'object', additionalProperties: str },
    hasSidecar: { type: 'boolean' },
    containerPorts: { type: 'array', items: int },
    services: { type: 'array', items: serviceDescriptionSchema },
  },
  ['cluster', 'namespace', 'pod', 'labels', 'hasSidecar', 'containerPorts', 'services'],
)
