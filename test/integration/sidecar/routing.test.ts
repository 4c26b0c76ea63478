// A real client sidecar routing by Envoy's route table over loopback sockets: header and path
// matches pick the cluster, weighted routes split traffic, and a request no route takes, a
// route to a missing cluster and a direct response get Envoy's local replies and records.

import { describe, expect, test } from 'vitest'
import { formatAccessLog } from '../../../src/proxy/index.ts'
import type { Route, RouteMatch } from '../../../src/xds/index.ts'
import { DOWN, startHarness, V1, V1_IP, V2 } from './harness.ts'

const URL = 'http://helloworld:5000'
const ALL: RouteMatch = { path: { prefix: '/' }, headers: [] }
const to = (name: string, cluster: string, match: RouteMatch = ALL): Route => ({
  name,
  match,
  action: { kind: 'cluster', cluster },
})
const version = (body: string) => /version: (\w+)/.exec(body)?.[1]

describe('matching', () => {
  test('end-user: jason goes to v1, everyone else to v2', async () => {
    const h = await startHarness([
      to('jason', V1, { headers: [{ name: 'end-user', match: { exact: 'jason' } }] }),
      to('default', V2),
    ])
    expect(version((await h.send(`${URL}/hello`, { 'end-user': 'jason' })).body)).toBe('v1')
    expect(version((await h.send(`${URL}/hello`, { 'end-user': 'mary' })).body)).toBe('v2')
    expect(version((await h.send(`${URL}/hello`)).body)).toBe('v2')
    expect(h.records.map((r) => [r.routeName, r.upstreamCluster, r.responseCode])).toEqual([
      ['jason', V1, 200],
      ['default', V2, 200],
      ['default', V2, 200],
    ])
  })

  test('an exact /api takes only /api (query string or not); a prefix /api takes the rest', async () => {
    const h = await startHarness([
      to('exact', V1, { path: { exact: '/api' }, headers: [] }),
      to('prefix', V2, { path: { prefix: '/api' }, headers: [] }),
    ])
    const routes: string[] = []
    for (const path of ['/api', '/api?user=jason', '/api/v1', '/apis']) {
      await h.send(`${URL}${path}`)
      routes.push(`${path} ${h.records.at(-1)?.routeName}`)
    }
    expect(routes).toEqual([
      '/api exact',
      '/api?user=jason exact',
      '/api/v1 prefix',
      '/apis prefix',
    ])
  })

  test('a regex must match the whole path, without the query string', async () => {
    const h = await startHarness([
      to('versioned', V1, { path: { regex: '/v[12]/.*' }, headers: [] }),
      to('default', V2),
    ])
    const routes: (string | undefined)[] = []
    for (const path of ['/v1/hello', '/v2/x?q=1', '/xv1/hello', '/v1']) {
      await h.send(`${URL}${path}`)
      routes.push(h.records.at(-1)?.routeName)
    }
    expect(routes).toEqual(['versioned', 'versioned', 'default', 'default'])
  })

  test('an inverted header condition takes requests whose header has another value', async () => {
    const h = await startHarness([
      to('not-jason', V1, {
        headers: [{ name: 'end-user', match: { exact: 'jason' }, invert: true }],
      }),
      to('default', V2),
    ])
    await h.send(`${URL}/`, { 'end-user': 'mary' })
    await h.send(`${URL}/`, { 'end-user': 'jason' })
    // Envoy: a missing header fails an inverted value condition.
    await h.send(`${URL}/`)
    expect(h.records.map((r) => r.routeName)).toEqual(['not-jason', 'default', 'default'])
  })

  test('a repeated header is matched as its values joined with a comma', async () => {
    const h = await startHarness([
      to('both', V1, { headers: [{ name: 'x-tag', match: { exact: 'a,b' } }] }),
      to('default', V2),
    ])
    await h.send(`${URL}/`, { 'x-tag': ['a', 'b'] })
    await h.send(`${URL}/`, { 'x-tag': 'a' })
    expect(h.records.map((r) => r.routeName)).toEqual(['both', 'default'])
  })

  test('a regex RE2 rejects does not crash the proxy, never matches, and is counted', async () => {
    const h = await startHarness([
      to('lookahead', V1, { path: { regex: '(?=/).*' }, headers: [] }),
      to('default', V2),
    ])
    const reply = await h.send(`${URL}/hello`)
    expect(version(reply.body)).toBe('v2')
    expect(h.records.at(-1)?.routeName).toBe('default')
    expect(h.sidecar.stats).toMatchObject({ route_regex_invalid: 1 })
  })

  test('a host no virtual host has still passes through (allow_any)', async () => {
    const h = await startHarness([to('default', V2)])
    const reply = await h.send(`http://${V1_IP}:5000/hello`)
    expect(version(reply.body)).toBe('v1')
    expect(h.records.at(-1)).toMatchObject({
      routeName: 'allow_any',
      upstreamCluster: 'PassthroughCluster',
    })
  })
})

describe('weighted clusters', () => {
  test('a 25/75 split lands near 25/75, the same way for the same seed', async () => {
    const split: Route = {
      name: 'split',
      match: ALL,
      action: {
        kind: 'weighted',
        clusters: [
          { name: V1, weight: 25 },
          { name: V2, weight: 75 },
        ],
      },
    }
    const run = async () => {
      const h = await startHarness([split], 7)
      const n = 200
      for (let i = 0; i < n; i++) await h.send(`${URL}/hello`)
      return h.records.map((r) => r.upstreamCluster)
    }
    const first = await run()
    const v1 = first.filter((c) => c === V1).length
    expect(v1).toBeGreaterThan(200 * 0.15)
    expect(v1).toBeLessThan(200 * 0.35)
    expect(first.filter((c) => c === V2).length).toBe(200 - v1)
    expect(await run()).toEqual(first)
  })

  test('a destination of weight 0 is never picked', async () => {
    const h = await startHarness([
      {
        name: 'all-v2',
        match: ALL,
        action: {
          kind: 'weighted',
          clusters: [
            { name: V1, weight: 0 },
            { name: V2, weight: 100 },
          ],
        },
      },
    ])
    for (let i = 0; i < 50; i++) await h.send(`${URL}/hello`)
    expect(new Set(h.records.map((r) => r.upstreamCluster))).toEqual(new Set([V2]))
  })

  test('retries after connect failures stay within the picked cluster', async () => {
    const h = await startHarness([
      {
        name: 'half-down',
        match: ALL,
        action: {
          kind: 'weighted',
          clusters: [
            { name: DOWN, weight: 1 },
            { name: V2, weight: 1 },
          ],
        },
      },
    ])
    for (let i = 0; i < 20; i++) await h.send(`${URL}/hello`)
    const outcomes = new Set(
      h.records.map((r) => `${r.upstreamCluster} ${r.responseCode} ${r.responseFlags.join(',')}`),
    )
    expect(outcomes).toEqual(new Set([`${DOWN} 503 UF,URX`, `${V2} 200 `]))
  })
})

describe('local replies', () => {
  test('no matching route: 404 NR with an empty body, no route and no cluster logged', async () => {
    const h = await startHarness([to('api', V1, { path: { exact: '/api' }, headers: [] })])
    const reply = await h.send(`${URL}/web`)
    expect(reply).toMatchObject({ status: 404, body: '' })
    expect(reply.headers.server).toBe('envoy')
    const record = h.records.at(-1)
    expect(record).toMatchObject({
      responseCode: 404,
      responseFlags: ['NR'],
      responseCodeDetails: 'route_not_found',
      routeName: '',
      upstreamCluster: '',
      bytesSent: 0,
    })
    const line = record ? formatAccessLog(record) : ''
    expect(line).toContain('" 404 NR route_not_found - "-" 0 0 ')
    expect(line).toMatch(/ "helloworld:5000" "-" - - /)
    expect(line.endsWith(' - -')).toBe(true)
    expect(h.sidecar.stats).toMatchObject({ no_route: 1 })
  })

  test('a route to a cluster the proxy does not have: 503 NC', async () => {
    const h = await startHarness([to('v3', `outbound|5000|v3|helloworld.sample.svc.cluster.local`)])
    const reply = await h.send(`${URL}/hello`)
    expect(reply).toMatchObject({ status: 503, body: '' })
    expect(h.records.at(-1)).toMatchObject({
      responseFlags: ['NC'],
      responseCodeDetails: 'cluster_not_found',
      routeName: 'v3',
      upstreamCluster: '',
    })
    expect(h.sidecar.stats).toMatchObject({ no_cluster: 1 })
  })

  test('a weighted pick of a cluster the proxy does not have: 503 NC', async () => {
    const h = await startHarness([
      {
        name: 'to-v3',
        match: ALL,
        action: { kind: 'weighted', clusters: [{ name: 'outbound|5000|v3|x', weight: 1 }] },
      },
    ])
    expect((await h.send(`${URL}/hello`)).status).toBe(503)
    expect(h.records.at(-1)?.responseFlags).toEqual(['NC'])
  })

  test('a direct response answers with its status and body, details direct_response', async () => {
    const h = await startHarness([
      {
        name: 'teapot',
        match: { path: { prefix: '/tea' }, headers: [] },
        action: { kind: 'direct', status: 418, body: 'short and stout' },
      },
      { name: 'gone', match: ALL, action: { kind: 'direct', status: 410 } },
    ])
    expect(await h.send(`${URL}/tea`)).toMatchObject({ status: 418, body: 'short and stout' })
    expect(await h.send(`${URL}/other`)).toMatchObject({ status: 410, body: '' })
    expect(h.records.map((r) => [r.routeName, r.responseFlags, r.responseCodeDetails])).toEqual([
      ['teapot', [], 'direct_response'],
      ['gone', [], 'direct_response'],
    ])
    expect(h.records[0]).toMatchObject({ bytesSent: 15, upstreamCluster: '' })
    expect(h.sidecar.stats).toMatchObject({ rq_direct_response: 2 })
  })
})
