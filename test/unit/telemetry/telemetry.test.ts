// The exposition a scrape gets: Istio's metrics as totals per label set (requests, histograms with
// Envoy's buckets in whole milliseconds, TCP bytes and connections) and the gateways' counters
// under Envoy's names, fetched at each scrape.

import { expect, test } from 'vitest'
import { clusterId } from '../../../src/model/index.ts'
import type { AccessRecord } from '../../../src/proxy/index.ts'
import { ENVOY_BUCKETS, MeshTelemetry, type ProxyStats } from '../../../src/telemetry/index.ts'

const record = (over: Partial<AccessRecord>): AccessRecord => ({
  proxy: 'sleep-6b8f5c7d9x-x2x4q',
  namespace: 'sample',
  cluster: clusterId('cluster1'),
  direction: 'outbound',
  startTime: new Date(0),
  method: 'GET',
  path: '/hello',
  protocol: 'HTTP/1.1',
  responseCode: 200,
  responseFlags: [],
  bytesReceived: 0,
  bytesSent: 60,
  durationMs: 0.9,
  authority: 'helloworld.sample:5000',
  upstreamCluster: 'outbound|5000||helloworld.sample.svc.cluster.local',
  downstreamLocalAddress: '10.100.0.5:5000',
  downstreamRemoteAddress: '10.10.0.2:40000',
  ...over,
})

/** The value of every sample line whose name and labels include `match`. */
function values(text: string, name: string, match: Record<string, string> = {}): number[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .filter((l) => Object.entries(match).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)))
}

test('requests count per label set; durations land in Envoy buckets as whole milliseconds', async () => {
  const t = new MeshTelemetry()
  t.observe(record({ durationMs: 0.9 }))
  t.observe(record({ durationMs: 7.2, bytesReceived: 12 }))
  t.observe(record({ responseCode: 503, responseFlags: ['UF', 'URX'], durationMs: 12 }))
  const text = await t.scrape()
  expect(t.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
  expect(text).toContain('# TYPE istio_requests_total counter')
  expect(text).toContain('# TYPE istio_request_duration_milliseconds histogram')
  expect(values(text, 'istio_requests_total', { response_code: '200' })).toEqual([2])
  expect(values(text, 'istio_requests_total', { response_flags: 'UF,URX' })).toEqual([1])

  const ok = { response_code: '200' }
  const buckets = values(text, 'istio_request_duration_milliseconds_bucket', ok)
  expect(buckets).toHaveLength(ENVOY_BUCKETS.length + 1)
  // 0.9 ms counts as 0 (le 0.5), 7.2 ms as 7 (le 10); buckets are cumulative.
  expect(buckets.slice(0, 5)).toEqual([1, 1, 1, 2, 2])
  expect(buckets.at(-1)).toBe(2)
  expect(text).toMatch(/istio_request_duration_milliseconds_bucket\{[^}]*,le="\+Inf"\} 2/)
  expect(values(text, 'istio_request_duration_milliseconds_sum', ok)).toEqual([7])
  expect(values(text, 'istio_request_duration_milliseconds_count', ok)).toEqual([2])
  expect(values(text, 'istio_request_bytes_sum', ok)).toEqual([12])
  expect(values(text, 'istio_response_bytes_sum', ok)).toEqual([120])
})

test('TCP connections count when they close, with the bytes each way', async () => {
  const t = new MeshTelemetry()
  const tcp = record({
    method: undefined,
    path: undefined,
    protocol: undefined,
    responseCode: 0,
    upstreamCluster: 'outbound|9000||tcp-echo.sample.svc.cluster.local',
    bytesReceived: 5,
    bytesSent: 9,
  })
  t.observe(tcp)
  t.observe(tcp)
  const text = await t.scrape()
  const echo = { destination_service: 'tcp-echo.sample.svc.cluster.local' }
  expect(values(text, 'istio_tcp_connections_opened_total', echo)).toEqual([2])
  expect(values(text, 'istio_tcp_connections_closed_total', echo)).toEqual([2])
  expect(values(text, 'istio_tcp_received_bytes_total', echo)).toEqual([10])
  expect(values(text, 'istio_tcp_sent_bytes_total', echo)).toEqual([18])
  expect(values(text, 'istio_requests_total')).toEqual([])
})

test('gateway counters are fetched at every scrape and written under Envoy names', async () => {
  let cx = 1
  const gateway = (): ProxyStats => ({
    proxy: 'istio-eastwestgateway-x79g58zj56-7vvjk',
    cluster: 'cluster2',
    stats: {
      downstream_cx_total: cx,
      downstream_cx_active: 1,
      no_filter_chain_match: 2,
      bytes_received: 700,
      bytes_sent: 900,
      'cluster.outbound_.5000_._.helloworld.sample.svc.cluster.local.upstream_cx_total': 3,
    },
  })
  const t = new MeshTelemetry(async () => [gateway()])
  const gw = { proxy: 'istio-eastwestgateway-x79g58zj56-7vvjk', cluster: 'cluster2' }
  expect(values(await t.scrape(), 'envoy_listener_downstream_cx_total', gw)).toEqual([1])
  cx = 4
  const text = await t.scrape()
  expect(values(text, 'envoy_listener_downstream_cx_total', gw)).toEqual([4])
  expect(text).toContain('# TYPE envoy_listener_downstream_cx_active gauge')
  expect(values(text, 'envoy_listener_no_filter_chain_match_total', gw)).toEqual([2])
  expect(values(text, 'envoy_tcp_downstream_cx_rx_bytes_total', gw)).toEqual([700])
  expect(values(text, 'envoy_tcp_downstream_cx_tx_bytes_total', gw)).toEqual([900])
  expect(
    values(text, 'envoy_cluster_upstream_cx_total', {
      cluster_name: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
    }),
  ).toEqual([3])
})
