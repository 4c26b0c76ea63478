// `GET /metrics`: the mesh's Prometheus metrics, as a Prometheus server scrapes them: Istio's
// standard metrics from every access record since the admin API started, and each gateway's
// Envoy counters as of the scrape.

import type { FastifyInstance } from 'fastify'
import type { Mesh } from '../runtime/index.ts'
import { MeshTelemetry, type ProxyStats } from '../telemetry/index.ts'

/** Every gateway's counters; a gateway whose thread is gone has none to report. */
async function gatewayStats(mesh: Mesh): Promise<ProxyStats[]> {
  const answers = await Promise.all(
    mesh.gateways.map(async (g) => {
      try {
        return [{ proxy: g.pod.name, cluster: g.cluster, stats: await g.proxy.stats() }]
      } catch {
        return []
      }
    }),
  )
  return answers.flat()
}

export function registerMetricsRoute(app: FastifyInstance, mesh: Mesh): void {
  const telemetry = new MeshTelemetry(() => gatewayStats(mesh))
  const stop = mesh.records.subscribe(telemetry.observe)
  app.addHook('onClose', async () => {
    stop()
  })
  app.get(
    '/metrics',
    { schema: { response: { 200: { type: 'string' } } } },
    async (_req, reply) => {
      const text = await telemetry.scrape()
      reply.type(telemetry.contentType)
      return text
    },
  )
}
