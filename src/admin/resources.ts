// `POST /api/v1/clusters/:cluster/apply` and `.../delete`: what `meshsim apply|delete -f` send.
// The runtime parses and validates the YAML once, so every client gets the same problems with
// the same positions; nothing is applied unless every document is valid.

import type { FastifyInstance } from 'fastify'
import { actOnManifest, type ManifestRequest, type Mesh } from '../runtime/index.ts'
import { applyRequestSchema, applyResponseSchema, problemsResponseSchema } from './schemas.ts'

export function registerResourceRoutes(app: FastifyInstance, mesh: Mesh): void {
  const schema = {
    params: {
      type: 'object',
      required: ['cluster'],
      properties: { cluster: { type: 'string' } },
    },
    body: applyRequestSchema,
    response: {
      200: applyResponseSchema,
      404: problemsResponseSchema,
      422: problemsResponseSchema,
    },
  } as const
  for (const action of ['apply', 'delete'] as const) {
    app.post<{ Params: { cluster: string }; Body: ManifestRequest }>(
      `/api/v1/clusters/:cluster/${action}`,
      { schema },
      async (req, reply) => {
        const r = actOnManifest(mesh, action, req.params.cluster, req.body)
        // Answer once pods are up and proxies have the change, so the next command sees it.
        if (r.ok) await mesh.settled()
        if (r.ok) return { items: r.items, warnings: r.warnings }
        return reply
          .code(r.reason === 'unknown-cluster' ? 404 : 422)
          .send({ error: r.error, problems: r.problems })
      },
    )
  }
}
