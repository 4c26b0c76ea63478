// `POST /api/v1/clusters/:cluster/apply` and `.../delete`: what `meshsim apply|delete -f` send.
// The YAML is parsed and validated here, once, so every client gets the same problems with the
// same positions; nothing is applied unless every document is valid.

import type { FastifyInstance } from 'fastify'
import { type Problem, parseResources } from '../config/index.ts'
import type { ClusterId, IstioResource } from '../model/index.ts'
import type { Mesh } from '../runtime/index.ts'
import { applyRequestSchema, applyResponseSchema, problemsResponseSchema } from './schemas.ts'

interface ApplyBody {
  readonly text: string
  /** The file name to put in messages (`-` for standard input). */
  readonly file: string
  /** `-n`: the namespace of documents that name none (and the one they must name). */
  readonly namespace?: string
}

/** kubectl's `virtualservice.networking.istio.io/helloworld`. */
const refOf = (r: IstioResource) => `${r.kind.toLowerCase()}.networking.istio.io/${r.metadata.name}`

const outcomeItem = (r: IstioResource, outcome: string) => ({
  kind: r.kind,
  namespace: r.metadata.namespace,
  name: r.metadata.name,
  ref: refOf(r),
  outcome,
})

const warningItem = (p: Problem) => ({ ...p })

export function registerResourceRoutes(app: FastifyInstance, mesh: Mesh): void {
  const routeSchema = {
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

  const parse = (cluster: string, body: ApplyBody) => {
    if (!mesh.clusters.has(cluster as ClusterId)) {
      const known = [...mesh.clusters.keys()].join(', ')
      return {
        status: 404 as const,
        reply: {
          error: `no cluster "${cluster}" in this mesh; its clusters are ${known}`,
          problems: [],
        },
      }
    }
    const parsed = parseResources(body.text, {
      file: body.file,
      ...(body.namespace ? { namespace: body.namespace } : {}),
    })
    if (parsed.problems.length > 0) {
      const n = parsed.problems.length
      return {
        status: 422 as const,
        reply: {
          error: `${n} problem${n === 1 ? '' : 's'} in ${body.file}; nothing was applied`,
          problems: parsed.problems,
        },
      }
    }
    return { status: 200 as const, parsed }
  }

  app.post<{ Params: { cluster: string }; Body: ApplyBody }>(
    '/api/v1/clusters/:cluster/apply',
    { schema: routeSchema },
    async (req, reply) => {
      const cluster = req.params.cluster
      const r = parse(cluster, req.body)
      if (r.status !== 200) return reply.code(r.status).send(r.reply)
      const outcomes = mesh.apply(cluster as ClusterId, r.parsed.resources)
      return {
        items: r.parsed.resources.map((res, i) => outcomeItem(res, outcomes[i] ?? 'unchanged')),
        warnings: r.parsed.warnings.map(warningItem),
      }
    },
  )

  app.post<{ Params: { cluster: string }; Body: ApplyBody }>(
    '/api/v1/clusters/:cluster/delete',
    { schema: routeSchema },
    async (req, reply) => {
      const cluster = req.params.cluster
      const r = parse(cluster, req.body)
      if (r.status !== 200) return reply.code(r.status).send(r.reply)
      const refs = r.parsed.resources.map((res) => ({
        kind: res.kind,
        namespace: res.metadata.namespace,
        name: res.metadata.name,
      }))
      const gone = mesh.delete(cluster as ClusterId, refs)
      return {
        items: r.parsed.resources.map((res, i) =>
          outcomeItem(res, gone[i] ? 'deleted' : 'not-found'),
        ),
        warnings: [],
      }
    },
  )
}
