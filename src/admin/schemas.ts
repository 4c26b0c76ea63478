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

const problem = {
  type: 'object',
  required: ['code', 'file', 'line', 'col', 'path', 'message'],
  properties: {
    code: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer' },
    col: { type: 'integer' },
    path: { type: 'string' },
    message: { type: 'string' },
  },
} as const

export const applyRequestSchema = {
  type: 'object',
  required: ['text', 'file'],
  properties: {
    text: { type: 'string', maxLength: 1048576 },
    file: { type: 'string' },
    namespace: { type: 'string' },
  },
} as const

export const applyResponseSchema = {
  type: 'object',
  required: ['items', 'warnings'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'namespace', 'name', 'ref', 'outcome'],
        properties: {
          kind: { type: 'string' },
          namespace: { type: 'string' },
          name: { type: 'string' },
          ref: { type: 'string' },
          outcome: {
            type: 'string',
            enum: ['created', 'configured', 'unchanged', 'deleted', 'not-found'],
          },
        },
      },
    },
    warnings: { type: 'array', items: problem },
  },
} as const

export const problemsResponseSchema = {
  type: 'object',
  required: ['error', 'problems'],
  properties: {
    error: { type: 'string' },
    problems: { type: 'array', items: problem },
  },
} as const

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
} as const

export const restartRequestSchema = {
  type: 'object',
  required: ['namespace', 'deployment'],
  properties: { namespace: { type: 'string' }, deployment: { type: 'string' } },
} as const

export const restartResponseSchema = {
  type: 'object',
  required: ['pod', 'ip'],
  properties: { pod: { type: 'string' }, ip: { type: 'string' } },
} as const

export const installRequestSchema = {
  type: 'object',
  required: ['set'],
  properties: { set: { type: 'object', additionalProperties: { type: 'string' } } },
} as const

export const installResponseSchema = {
  type: 'object',
  required: ['cluster', 'remotePilotAddress'],
  properties: { cluster: { type: 'string' }, remotePilotAddress: { type: 'string' } },
} as const
