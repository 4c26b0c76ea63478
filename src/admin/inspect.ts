// The inspection routes: proxies and their config dumps (what istioctl proxy-config reads), the
// sync state of every proxy (proxy-status), each primary's remote clusters, a cluster's
// resources (get), and the access records as NDJSON, optionally followed (logs -f).

import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { type ClusterId, ISTIO_KINDS, type IstioResource } from '../model/index.ts'
import {
  describePod,
  describeServiceNamed,
  type Mesh,
  proxiesOf,
  proxyDump,
  remoteClustersOf,
  resourcesOf,
} from '../runtime/index.ts'
import {
  podDescriptionSchema,
  proxyDumpSchema,
  proxyListSchema,
  proxyStatusSchema,
  recordSchema,
  remoteClustersSchema,
  resourceListSchema,
  serviceDescriptionSchema,
  serviceListSchema,
} from './inspect-schemas.ts'
import { errorSchema, podsSchema } from './schemas.ts'

const SCHEMAS = {
  pods: podsSchema,
  proxies: proxyListSchema,
  proxyDump: proxyDumpSchema,
  proxyStatus: proxyStatusSchema,
  remoteClusters: remoteClustersSchema,
  resources: resourceListSchema,
  services: serviceListSchema,
  record: recordSchema,
  podDescription: podDescriptionSchema,
  serviceDescription: serviceDescriptionSchema,
}

const describeParams = {
  type: 'object',
  required: ['cluster', 'namespace', 'name'],
  properties: {
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
  },
} as const

export function registerInspectRoutes(app: FastifyInstance, mesh: Mesh): void {
  const version = `${mesh.spec.istioVersion.major}.${mesh.spec.istioVersion.minor}.0`

  // The schemas of the bodies `-o json` prints, for scripts that check what they read.
  app.get(
    '/api/v1/schemas',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            additionalProperties: { type: 'object', additionalProperties: true },
          },
        },
      },
    },
    async () => SCHEMAS,
  )

  app.get('/api/v1/proxies', { schema: { response: { 200: proxyListSchema } } }, async () => ({
    items: proxiesOf(mesh).map((p) => ({
      cluster: p.cluster,
      namespace: p.namespace,
      pod: p.pod,
      type: p.handle.node.type,
      ip: p.handle.node.ip,
      ...(p.handle.config ? { version: p.handle.config.version } : {}),
    })),
  }))

  app.get<{ Params: { cluster: string; namespace: string; pod: string } }>(
    '/api/v1/proxies/:cluster/:namespace/:pod',
    {
      schema: {
        params: {
          type: 'object',
          required: ['cluster', 'namespace', 'pod'],
          properties: {
            cluster: { type: 'string' },
            namespace: { type: 'string' },
            pod: { type: 'string' },
          },
        },
        response: { 200: proxyDumpSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { cluster, namespace, pod } = req.params
      const entry = proxiesOf(mesh).find(
        (p) => p.cluster === cluster && p.namespace === namespace && p.pod === pod,
      )
      if (!entry) {
        return reply.code(404).send({ error: `no proxy ${pod}.${namespace} in cluster ${cluster}` })
      }
      return await proxyDump(entry)
    },
  )

  app.get('/api/v1/services', { schema: { response: { 200: serviceListSchema } } }, async () => ({
    items: [...mesh.clusters.values()].flatMap((c) =>
      (c.workloads?.services ?? c.inventory.services).map((s) => ({
        cluster: s.cluster,
        namespace: s.namespace,
        name: s.name,
        host: s.host,
        clusterIP: s.clusterIP,
        ports: s.ports.map((p) => ({
          name: p.name,
          port: p.port,
          targetPort: p.targetPort,
          protocol: p.protocol,
        })),
      })),
    ),
  }))

  app.get<{ Params: { cluster: string; namespace: string; name: string } }>(
    '/api/v1/describe/pods/:cluster/:namespace/:name',
    {
      schema: {
        params: describeParams,
        response: { 200: podDescriptionSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { cluster, namespace, name } = req.params
      const pod = mesh.pods.find(
        (p) => p.cluster === cluster && p.namespace === namespace && p.name === name,
      )
      if (!pod) return reply.code(404).send({ error: `no pod ${name}.${namespace} in ${cluster}` })
      return describePod(mesh, cluster as ClusterId, pod)
    },
  )

  app.get<{ Params: { cluster: string; namespace: string; name: string } }>(
    '/api/v1/describe/services/:cluster/:namespace/:name',
    {
      schema: {
        params: describeParams,
        response: { 200: serviceDescriptionSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { cluster, namespace, name } = req.params
      const d = describeServiceNamed(mesh, cluster as ClusterId, namespace, name)
      if (!d)
        return reply.code(404).send({ error: `no service ${name}.${namespace} in ${cluster}` })
      return d
    },
  )

  app.get(
    '/api/v1/proxy-status',
    { schema: { response: { 200: proxyStatusSchema } } },
    async () => ({
      items: mesh.proxyStatus().map((s) => ({
        ...s,
        istiod: mesh.istiod(s.controlPlane)?.name ?? '',
        istioVersion: version,
      })),
    }),
  )

  app.get(
    '/api/v1/remote-clusters',
    { schema: { response: { 200: remoteClustersSchema } } },
    async () => ({
      items: remoteClustersOf(mesh).map(({ cluster, istiod, remote }) => ({
        cluster,
        istiod,
        name: remote.name,
        secret: remote.secret,
        status: remote.status,
      })),
    }),
  )

  app.get<{ Params: { cluster: string }; Querystring: { kind?: IstioResource['kind'] } }>(
    '/api/v1/clusters/:cluster/resources',
    {
      schema: {
        params: {
          type: 'object',
          required: ['cluster'],
          properties: { cluster: { type: 'string' } },
        },
        querystring: {
          type: 'object',
          properties: { kind: { type: 'string', enum: ISTIO_KINDS } },
        },
        response: { 200: resourceListSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const cluster = req.params.cluster as ClusterId
      if (!mesh.clusters.has(cluster))
        return reply.code(404).send({ error: `no cluster ${cluster}` })
      return { items: resourcesOf(mesh, cluster, req.query.kind) }
    },
  )

  app.get<{
    Querystring: { cluster?: string; namespace?: string; pod?: string; follow?: boolean }
  }>(
    '/api/v1/records',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            cluster: { type: 'string' },
            namespace: { type: 'string' },
            pod: { type: 'string' },
            follow: { type: 'boolean' },
          },
        },
        // The body is NDJSON: one record per line, each of this shape.
        response: { 200: recordSchema },
      },
    },
    async (req, reply) => {
      const { cluster, namespace, pod, follow } = req.query
      const wanted = (r: { cluster: string; namespace: string; proxy: string }) =>
        (!cluster || r.cluster === cluster) &&
        (!namespace || r.namespace === namespace) &&
        (!pod || r.proxy === pod)
      await mesh.flushRecords()
      // Server-sent events for browsers and EventSource; NDJSON (one record a line) otherwise.
      const sse = (req.headers.accept ?? '').includes('text/event-stream')
      const frame = (r: object) =>
        sse ? `data: ${JSON.stringify(r)}\n\n` : `${JSON.stringify(r)}\n`
      const out = new PassThrough()
      for (const r of mesh.records.recent()) if (wanted(r)) out.write(frame(r))
      if (!follow) out.end()
      else {
        const stop = mesh.records.subscribe((r) => {
          if (wanted(r)) out.write(frame(r))
        })
        req.raw.once('close', () => {
          stop()
          out.end()
        })
      }
      reply.type(sse ? 'text/event-stream' : 'application/x-ndjson')
      return reply.send(out)
    },
  )
}
