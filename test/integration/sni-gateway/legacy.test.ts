// Legacy AUTO_PASSTHROUGH (Istio ≤1.9): one chain per Gateway host (`*.global`, Envoy's wildcard
// match), the cluster named by the SNI (sni_cluster), rewritten by tcp_cluster_rewrite
// (`\.global$` -> `.svc.cluster.local`) before the lookup; mTLS still runs end to end.

import { expect, test, vi } from 'vitest'
import { serviceHost, sniName } from '../../../src/model/index.ts'
import { matchFilterChain, sniClusterOf } from '../../../src/sni-gateway/index.ts'
import type { ProxyConfig, SniFilterChain } from '../../../src/xds/index.ts'
import { type Backend, gatewayConfig, HELLOWORLD, SNI, startHarness } from './fixture.ts'

const GLOBAL_SNI = 'outbound_.5000_._.helloworld.sample.global'
const REWRITE = { pattern: '\\.global$', replacement: '.svc.cluster.local' }

/** The push a 1.4 istiod makes to the `.global` install's ingress gateway. */
function legacyConfig(version: number, pods: readonly Backend[]): ProxyConfig {
  const base = gatewayConfig(version, pods)
  const chain: SniFilterChain = {
    serverName: '*.global',
    applicationProtocols: [],
    cluster: '',
    sniCluster: { rewrite: REWRITE },
  }
  const [listener] = base.listeners
  if (listener?.kind !== 'gateway') throw new Error('expected the gateway listener')
  return { ...base, listeners: [{ ...listener, filterChains: [chain] }] }
}

test('the rewrite turns a .global SNI into the local cluster name; other names pass unchanged', () => {
  const rewrite = sniClusterOf({ rewrite: REWRITE })
  expect(rewrite(GLOBAL_SNI)).toBe(SNI)
  expect(rewrite('outbound_.8000_.v2_.httpbin.bar.global')).toBe(
    'outbound_.8000_.v2_.httpbin.bar.svc.cluster.local',
  )
  expect(rewrite('outbound_.8000_._.global.example.com')).toBe(
    'outbound_.8000_._.global.example.com',
  )
  expect(sniClusterOf({})(GLOBAL_SNI)).toBe(GLOBAL_SNI)
  expect(sniClusterOf({ rewrite: { pattern: '(', replacement: 'x' } })(GLOBAL_SNI)).toBe(GLOBAL_SNI)
})

test('*.global matches SNIs under global at any depth, not global itself or other zones', () => {
  const chain: SniFilterChain = { serverName: '*.global', applicationProtocols: [], cluster: '' }
  const table = new Map([['*.global', [chain]]])
  expect(matchFilterChain(table, GLOBAL_SNI, [])).toBe(chain)
  expect(matchFilterChain(table, 'a.global', ['h2'])).toBe(chain)
  expect(matchFilterChain(table, 'global', [])).toBeUndefined()
  expect(matchFilterChain(table, SNI, [])).toBeUndefined()
  expect(matchFilterChain(table, undefined, [])).toBeUndefined()
})

test('a sidecar reaches a local pod through the chain, and the record names the rewritten cluster', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  await h.gateway.apply(legacyConfig(1, [pod]))

  const client = await h.connect({ servername: GLOBAL_SNI })
  expect(client.serverId).toBe(HELLOWORLD)
  expect(await client.send('ping')).toBe('helloworld-v2:ping')
  client.tls.end()
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  expect(h.records[0]).toMatchObject({
    requestedServerName: GLOBAL_SNI,
    upstreamCluster: SNI,
    upstreamHost: '10.20.0.10:5000',
    responseFlags: [],
  })
})

test('an SNI the rewrite maps to no cluster (a subset the gateway does not know) closes with NC', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  await h.gateway.apply(legacyConfig(1, [pod]))
  const v9 = sniName({
    direction: 'outbound',
    port: 5000,
    subset: 'v9',
    host: serviceHost('helloworld.sample.global'),
  })
  expect(await h.refused({ servername: v9 })).toBeInstanceOf(Error)
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  expect(h.records[0]).toMatchObject({ responseFlags: ['NC'], requestedServerName: v9 })
  expect(h.gateway.stats()).toMatchObject({ downstream_cx_no_route: 1 })
})

test('an SNI outside *.global matches no chain and is closed', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  await h.gateway.apply(legacyConfig(1, [pod]))
  expect(await h.refused({ servername: SNI })).toBeInstanceOf(Error)
  expect(h.gateway.stats()).toMatchObject({ no_filter_chain_match: 1 })
})
