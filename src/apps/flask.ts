// What the Flask apps behind Istio's helloworld and httpbin samples look like on the wire: a
// fastify instance answering unknown paths with Werkzeug's 404 page, and Flask's jsonify output.

import { type FastifyInstance, fastify } from 'fastify'

export const HTML = 'text/html; charset=utf-8'

/** Werkzeug's 404 body: `modern` is Werkzeug 2+ (helloworld's Flask 3), else 0.x (httpbin). */
function notFoundPage(modern: boolean): string {
  const text = modern
    ? 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'
    : 'The requested URL was not found on the server.  If you entered the URL manually please check your spelling and try again.'
  const head = modern
    ? ['<!doctype html>', '<html lang=en>']
    : ['<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">']
  return [...head, '<title>404 Not Found</title>', '<h1>Not Found</h1>', `<p>${text}</p>`, ''].join(
    '\n',
  )
}

/**
 * A fastify instance set up like a sample's web server: no logging, every body accepted as raw
 * bytes (Flask never answers 415), and `close()` dropping idle keep-alive sockets at once.
 */
export function flaskApp(werkzeug: 'modern' | 'legacy'): FastifyInstance {
  const app = fastify({ logger: false, forceCloseConnections: true })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  const page = notFoundPage(werkzeug === 'modern')
  app.setNotFoundHandler((_request, reply) => reply.code(404).type(HTML).send(page))
  return app
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Flask's jsonify as httpbin serves it: sorted keys, 2-space indent, ASCII only, final newline. */
export function jsonify(value: unknown): string {
  const text = JSON.stringify(value, sortKeys, 2)
  return `${text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`
}
