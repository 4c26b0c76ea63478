// Route selection over an applied config: the virtual host by authority, then the first route
// whose match holds; a virtual host with no matching route, and an unknown authority, apart.

import { expect, test } from 'vitest'
import { seededRandom } from '../../../src/proxy/index.ts'
import { Routing } from '../../../src/sidecar/routing.ts'
import type { ProxyConfig, Route } from '../../../src/xds/index.ts'

const A = 'outbound|5000|v1|helloworld.sample.svc.cluster.local'
const B = 'outbound|5000|v2|helloworld.sample.svc.cluster.local'

function routingWith(routes: Route[]): Routing {
  const config: ProxyConfig = {
    version: 1,
    listeners: [],
    routes: [
      {
        name: '5000',
        virtualHosts: [
          {
            name: 'helloworld.sample.svc.cluster.local:5000',
            domains: ['helloworld', 'helloworld:5000'],
            routes,
          },
        ],
      },
    ],
    clusters: [],
    endpoints: [],
  }
  return new Routing(config, seededRandom(1))
}

const jason: Route = {
  name: 'jason',
  match: { headers: [{ name: 'end-user', match: { exact: 'jason' } }] },
  action: { kind: 'cluster', cluster: A },
}
const api: Route = {
  name: 'api',
  match: { path: { exact: '/api' }, headers: [] },
  action: { kind: 'cluster', cluster: B },
}

test('the first route whose match holds wins, in order', () => {
  const routing = routingWith([jason, api])
  const pick = (path: string, headers: string[]) =>
    routing.route('5000', 'helloworld:5000', path, 'GET', headers)?.route?.name
  expect(pick('/api', ['end-user', 'jason'])).toBe('jason')
  expect(pick('/api', [])).toBe('api')
})

test('a virtual host whose routes all fail to match selects no route', () => {
  const s = routingWith([api]).route('5000', 'HelloWorld', '/web', 'GET', [])
  expect(s?.vhost.name).toBe('helloworld.sample.svc.cluster.local:5000')
  expect(s?.route).toBeUndefined()
})

test('an authority no virtual host has selects nothing, as before', () => {
  const routing = routingWith([api])
  expect(routing.route('5000', 'other:5000', '/api', 'GET', [])).toBeUndefined()
  expect(routing.route('8080', 'helloworld', '/api', 'GET', [])).toBeUndefined()
  expect(routing.virtualHost('5000', 'helloworld:5000')?.routes).toEqual([api])
})

test('a weighted route carries its total weight', () => {
  const split: Route = {
    name: 'split',
    match: { headers: [] },
    action: {
      kind: 'weighted',
      clusters: [
        { name: A, weight: 1 },
        { name: B, weight: 3 },
      ],
    },
  }
  expect(routingWith([split]).route('5000', 'helloworld', '/', 'GET', [])?.totalWeight).toBe(4)
})

test('regexes RE2 would reject are listed, and their routes never match', () => {
  const bad: Route = {
    name: 'bad',
    match: { path: { regex: '(?!x).*' }, headers: [] },
    action: { kind: 'cluster', cluster: A },
  }
  const routing = routingWith([bad, api])
  expect(routing.invalidRegexes).toEqual(['(?!x).*'])
  expect(routing.route('5000', 'helloworld', '/api', 'GET', [])?.route?.name).toBe('api')
  expect(routing.route('5000', 'helloworld', '/y', 'GET', [])?.route).toBeUndefined()
})

test('selection allocates nothing: the same request selects the same object', () => {
  const routing = routingWith([api])
  const first = routing.route('5000', 'helloworld', '/web', 'GET', [])
  expect(routing.route('5000', 'helloworld', '/other', 'GET', [])).toBe(first)
  const hit = routing.route('5000', 'helloworld', '/api', 'GET', [])
  expect(routing.route('5000', 'helloworld', '/api?x', 'GET', [])).toBe(hit)
})
