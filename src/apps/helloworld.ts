// Istio's samples/helloworld: a Flask app answering /hello with its version and pod name.

import type { FastifyInstance } from 'fastify'
import { flaskApp, HTML } from './flask.ts'

export interface HelloworldOptions {
  /** SERVICE_VERSION; the Python app prints `None` when it is unset. */
  readonly version?: string
  /** HOSTNAME, i.e. the pod name, e.g. `helloworld-v1-86f77cd7bd-cpxhv`. */
  readonly instance: string
}

export function buildHelloworld(opts: HelloworldOptions): FastifyInstance {
  const app = flaskApp('modern')
  const hello = `Hello version: ${opts.version ?? 'None'}, instance: ${opts.instance}\n`
  // Flask serves a returned str as text/html, so this does too.
  app.get('/hello', (_request, reply) => reply.type(HTML).send(hello))
  app.get('/health', (_request, reply) => reply.type(HTML).send('Helloworld is healthy'))
  return app
}
