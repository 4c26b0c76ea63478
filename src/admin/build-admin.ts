// The admin API of a running mesh (fastify, built here, listened on by the CLI): what `exec`,
// `curl` and later commands read. Every route declares its response schema.

import Fastify, { type FastifyInstance } from 'fastify'
import type { Mesh } from '../runtime/index.ts'
import { registerAnalyzeRoute } from './analyze.ts'
import { registerInspectRoutes } from './inspect.ts'
import { registerMetricsRoute } from './metrics.ts'
import { registerOperationRoutes } from './operations.ts'
import { registerResourceRoutes } from './resources.ts'
import { meshSchema, podsSchema } from './schemas.ts'

export function buildAdmin(mesh: Mesh): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true })

  app.get(
    '/healthz',
    {
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    },
    async () => ({
      status: 'ok',
    }),
  )

  app.get('/api/v1/mesh', { schema: { response: { 200: meshSchema } } }, async () => ({
    name: mesh.spec.name,
    networks: mesh.spec.networks.map((n) => n.name),
    clusters: [...mesh.clusters.values()].map((c) => ({
      name: c.spec.name,
      network: c.spec.network,
      controlPlane: c.spec.controlPlane.mode,
      dns: { udp: c.dns.udp, tcp: c.dns.tcp },
      ...(c.controlPlane ? { configVersion: c.controlPlane.snapshot.version } : {}),
    })),
    gateways: await Promise.all(
      mesh.gateways.map(async (g) => ({
        cluster: g.cluster,
        network: g.network,
        address: g.address,
        port: g.port,
        pod: g.pod.name,
        // A gateway whose thread died has no counters left to show.
        stats: await g.proxy.stats().catch(() => ({})),
      })),
    ),
  }))

  app.get('/api/v1/pods', { schema: { response: { 200: podsSchema } } }, async () => ({
    items: mesh.pods.map((p) => ({
      cluster: p.cluster,
      network: p.network,
      namespace: p.namespace,
      name: p.name,
      app: p.app,
      ...(p.version ? { version: p.version } : {}),
      ip: p.ip,
      serviceAccount: p.serviceAccount,
      ...(p.sidecar?.capturePort ? { capturePort: p.sidecar.capturePort } : {}),
    })),
  }))

  registerResourceRoutes(app, mesh)
  registerOperationRoutes(app, mesh)
  registerInspectRoutes(app, mesh)
  registerAnalyzeRoute(app, mesh)
  registerMetricsRoute(app, mesh)

  return app
}
