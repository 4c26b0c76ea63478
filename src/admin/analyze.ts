// `GET /api/v1/analyze`: `meshsim analyze` on the running mesh. Each cluster is analyzed as its
// API server holds it now (resources applied or deleted since the start included), against the
// Services and pods of every cluster its istiod watches at this moment.

import type { FastifyInstance } from 'fastify'
import { type AnalysisInput, analyze, type ClusterInput, namespacesOf } from '../analysis/index.ts'
import type { Mesh, RunningCluster } from '../runtime/index.ts'
import { errorSchema } from './schemas.ts'

const messageSchema = {
  type: 'object',
  required: ['level', 'code', 'resource', 'message', 'documentationUrl'],
  properties: {
    level: { type: 'string', enum: ['Error', 'Warning', 'Info'] },
    code: { type: 'string' },
    resource: {
      type: 'object',
      required: ['kind', 'namespace', 'name', 'cluster'],
      properties: {
        kind: { type: 'string' },
        namespace: { type: 'string' },
        name: { type: 'string' },
        cluster: { type: 'string' },
      },
    },
    message: { type: 'string' },
    origin: { type: 'string' },
    documentationUrl: { type: 'string' },
  },
} as const

export const analyzeResponseSchema = {
  type: 'object',
  required: ['clusters', 'namespaces', 'messages'],
  properties: {
    /** The clusters analyzed. */
    clusters: { type: 'array', items: { type: 'string' } },
    /** The namespaces that exist in them. */
    namespaces: { type: 'array', items: { type: 'string' } },
    messages: { type: 'array', items: messageSchema },
  },
} as const

function clusterInput(c: RunningCluster): ClusterInput {
  const services = c.workloads?.services ?? c.inventory.services
  const pods = [...c.inventory.pods, ...(c.workloads?.pods ?? [])]
  return {
    name: c.spec.name,
    primary: c.spec.controlPlane.mode === 'primary',
    discovers: c.remotes ? [...c.remotes.watched] : [c.spec.name],
    remoteSecrets: c.spec.remoteSecrets,
    resources: c.config.list().map((resource) => ({ resource })),
    services: services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      ports: s.ports,
      ...(s.selector ? { selector: s.selector } : {}),
    })),
    pods: pods.map((p) => ({
      namespace: p.namespace,
      labels: p.labels ?? { app: p.app, ...(p.version ? { version: p.version } : {}) },
    })),
  }
}

export function inputOf(mesh: Mesh): AnalysisInput {
  const meshNetworks = mesh.spec.meshNetworks
  return {
    clusters: [...mesh.clusters.values()].map(clusterInput),
    ...(meshNetworks ? { meshNetworks: { networks: meshNetworks } } : {}),
  }
}

export function registerAnalyzeRoute(app: FastifyInstance, mesh: Mesh): void {
  app.get<{ Querystring: { context?: string; namespace?: string } }>(
    '/api/v1/analyze',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            context: { type: 'string', description: 'analyze this cluster only' },
            namespace: { type: 'string', description: 'report on this namespace only' },
          },
        },
        response: { 200: analyzeResponseSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { context, namespace } = req.query
      const names = [...mesh.clusters.keys()] as string[]
      if (context !== undefined && !names.includes(context))
        return reply.code(404).send({
          error: `no cluster "${context}" in this mesh; its clusters are ${names.join(', ')}`,
        })
      // Settle first, so what was just applied is what gets analyzed.
      await mesh.settled()
      const clusters = context === undefined ? names : [context]
      const input = inputOf(mesh)
      return {
        clusters,
        namespaces: namespacesOf(input, clusters),
        messages: analyze(input, {
          clusters,
          ...(namespace === undefined ? {} : { namespace }),
        }),
      }
    },
  )
}
