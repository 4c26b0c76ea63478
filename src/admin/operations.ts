// Operations on a running mesh that stand in for cluster operations: `kubectl rollout restart`
// of istiod, and re-running the remote profile's install with a new remotePilotAddress.

import type { FastifyInstance } from 'fastify'
import { type ClusterId, isIPv4Address } from '../model/index.ts'
import { type Mesh, remoteSecretYaml } from '../runtime/index.ts'
import {
  errorSchema,
  installRequestSchema,
  installResponseSchema,
  restartRequestSchema,
  restartResponseSchema,
} from './schemas.ts'

const params = {
  type: 'object',
  required: ['cluster'],
  properties: { cluster: { type: 'string' } },
} as const

/** The istiod Deployment's names: `istiod` since 1.5, `istio-pilot` before. */
const ISTIOD_DEPLOYMENTS = new Set(['istiod', 'istio-pilot'])

const REMOTE_PILOT = 'values.global.remotePilotAddress'

export function registerOperationRoutes(app: FastifyInstance, mesh: Mesh): void {
  const unknownCluster = (cluster: string) => ({
    error: `no cluster "${cluster}" in this mesh; its clusters are ${[...mesh.clusters.keys()].join(', ')}`,
  })

  app.get<{ Params: { cluster: string }; Querystring: { name?: string } }>(
    '/api/v1/clusters/:cluster/remote-secret',
    {
      schema: {
        params,
        querystring: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } },
        },
        response: { 200: { type: 'string' }, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const cluster = req.params.cluster as ClusterId
      const ca = mesh.pki.clusters.get(cluster)
      if (!mesh.clusters.has(cluster) || ca === undefined)
        return reply.code(404).send(unknownCluster(cluster))
      reply.type('application/yaml')
      return remoteSecretYaml(cluster, req.query.name ?? cluster, ca.certPem)
    },
  )

  app.post<{ Params: { cluster: string }; Body: { namespace: string; deployment: string } }>(
    '/api/v1/clusters/:cluster/rollout-restart',
    {
      schema: {
        params,
        body: restartRequestSchema,
        response: { 200: restartResponseSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (req, reply) => {
      const cluster = req.params.cluster as ClusterId
      if (!mesh.clusters.has(cluster)) return reply.code(404).send(unknownCluster(cluster))
      const { namespace, deployment } = req.body
      if (namespace !== 'istio-system' || !ISTIOD_DEPLOYMENTS.has(deployment)) {
        return reply.code(422).send({
          error: `meshsim can restart only the control plane yet (deployment/istiod in istio-system), not deployment/${deployment} in ${namespace}`,
        })
      }
      if (mesh.istiod(cluster) === undefined) {
        return reply.code(404).send({ error: `${cluster} runs no istiod (it is a remote cluster)` })
      }
      const pod = await mesh.restartControlPlane(cluster)
      return { pod: pod.name, ip: pod.ip }
    },
  )

  app.post<{ Params: { cluster: string }; Body: { set: Record<string, string> } }>(
    '/api/v1/clusters/:cluster/install',
    {
      schema: {
        params,
        body: installRequestSchema,
        response: { 200: installResponseSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (req, reply) => {
      const cluster = req.params.cluster as ClusterId
      const c = mesh.clusters.get(cluster)
      if (c === undefined) return reply.code(404).send(unknownCluster(cluster))
      const unsupported = Object.keys(req.body.set).filter((k) => k !== REMOTE_PILOT)
      if (unsupported.length > 0) {
        return reply.code(422).send({
          error: `meshsim can change only ${REMOTE_PILOT} on a running mesh, not ${unsupported.join(', ')}`,
        })
      }
      const address = req.body.set[REMOTE_PILOT]
      if (address === undefined || !isIPv4Address(address)) {
        return reply.code(422).send({ error: `${REMOTE_PILOT} must be an IPv4 address` })
      }
      if (c.spec.controlPlane.mode !== 'remote') {
        return reply.code(422).send({
          error: `${cluster} runs its own control plane; ${REMOTE_PILOT} applies to remote clusters`,
        })
      }
      mesh.setRemotePilotAddress(cluster, address)
      return { cluster, remotePilotAddress: address }
    },
  )
}
