// JSON Schemas of the admin API's responses (fastify serializes and documents with them).

const address = {
  type: 'object',
  required: ['address', 'port'],
  properties: { address: { type: 'string' }, port: { type: 'integer' } },
} as const

export const meshSchema = {
  type: 'object',
  required: ['name', 'networks', 'clusters', 'gateways'],
  properties: {
    name: { type: 'string' },
    networks: { type: 'array', items: { type: 'string' } },
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'network', 'controlPlane', 'dns'],
        properties: {
          name: { type: 'string' },
          network: { type: 'string' },
          controlPlane: { type: 'string', enum: ['primary', 'remote'] },
          configVersion: { type: 'integer' },
          dns: { type: 'object', properties: { udp: address, tcp: address } },
        },
      },
    },
    gateways: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cluster', 'network', 'address', 'port', 'pod'],
        properties: {
          cluster: { type: 'string' },
          network: { type: 'string' },
          address: { type: 'string' },
          port: { type: 'integer' },
          pod: { type: 'string' },
          stats: { type: 'object', additionalProperties: { type: 'number' } },
        },
      },
    },
  },
} as const

export const podsSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cluster', 'network', 'namespace', 'name', 'app', 'ip', 'serviceAccount'],
        properties: {
          cluster: { type: 'string' },
          network: { type: 'string' },
          namespace: { type: 'string' },
          name: { type: 'string' },
          app: { type: 'string' },
          version: { type: 'string' },
          ip: { type: 'string' },
          serviceAccount: { type: 'string' },
          capturePort: { type: 'integer' },
        },
      },
    },
  },
} as const
