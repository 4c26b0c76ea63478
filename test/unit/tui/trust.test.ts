// The :trust view's data and lines: one root, each cluster's intermediate, every workload
// certificate with its SPIFFE id and time left in words; several roots and expired
// certificates said in words, not colour alone.

import { describe, expect, test } from 'vitest'
import { timeLeft, trustView } from '../../../src/cli/tui/trust.ts'
import { trustScreen } from '../../../src/cli/tui/trust-view.ts'
import { clusterId, networkId } from '../../../src/model/index.ts'
import type { ProxyDump } from '../../../src/runtime/index.ts'
import { ROOT, sleepDump } from './fixture.ts'

const NOW = new Date('2026-12-04T11:00:00Z')

/** sleep's dump as if it ran in cluster2, under another intermediate and, optionally, root. */
function cluster2(root = ROOT): ProxyDump {
  const d = sleepDump({ notAfter: '2026-12-04T10:55:00Z' })
  const [chain, ca] = d.secrets
  if (!chain || !ca) throw new Error('fixture has two secrets')
  const [leaf] = chain.certificates
  if (!leaf) throw new Error('fixture has a leaf')
  const inter = {
    ...leaf,
    subject: 'O=Istio, CN=Intermediate CA, L=cluster2',
    serialNumber: 'bb02',
    notAfter: '2036-12-01T10:00:00Z',
    uris: [],
  }
  return {
    ...d,
    node: { ...d.node, cluster: clusterId('cluster2'), network: networkId('network2') },
    secrets: [
      { ...chain, certificates: [leaf, inter] },
      { ...ca, certificates: [root] },
    ],
  }
}

describe('timeLeft', () => {
  test('says the largest whole unit left, or how long ago it expired', () => {
    expect(timeLeft('2026-12-05T10:00:00Z', NOW)).toEqual({
      left: 'expires in 23h',
      expired: false,
    })
    expect(timeLeft('2036-12-01T10:00:00Z', NOW)).toEqual({ left: 'expires in 9y', expired: false })
    expect(timeLeft('2026-12-04T11:00:40Z', NOW)).toEqual({
      left: 'expires in 40s',
      expired: false,
    })
    expect(timeLeft('2026-12-04T10:55:00Z', NOW)).toEqual({ left: 'expired 5m ago', expired: true })
  })
})

describe('trustView', () => {
  test('lists the shared root once, an intermediate per cluster and every workload certificate', () => {
    const t = trustView([sleepDump(), cluster2()], NOW)
    expect(t.roots.map((r) => r.subject)).toEqual(['O=Istio, CN=Root CA'])
    expect(t.intermediates.map((r) => [r.cluster, r.subject, r.left])).toEqual([
      ['cluster1', 'O=Istio, CN=Intermediate CA, L=cluster1', 'expires in 9y'],
      ['cluster2', 'O=Istio, CN=Intermediate CA, L=cluster2', 'expires in 9y'],
    ])
    expect(t.workloads.map((r) => [r.cluster, r.spiffe, r.serial, r.left])).toEqual([
      ['cluster1', 'spiffe://cluster.local/ns/sample/sa/sleep', 'cc01', 'expires in 23h'],
      ['cluster2', 'spiffe://cluster.local/ns/sample/sa/sleep', 'cc01', 'expired 5m ago'],
    ])
  })

  test('the screen fits 80 columns and says expiry and a second root in words', () => {
    const other = { ...ROOT, subject: 'O=Other, CN=Root CA', serialNumber: 'aa02' }
    const page = trustScreen(trustView([sleepDump(), cluster2(other)], NOW), 80)
    const lines = [...page.head, ...page.body]
    expect(Math.max(...lines.map((l) => l.text.length))).toBeLessThanOrEqual(80)
    expect(lines[1]).toEqual({
      text: 'ROOTS  2 different roots: clusters under different roots cannot talk mTLS',
      style: 'warn',
    })
    const expired = lines.find((l) => l.text.includes('expired 5m ago'))
    expect(expired?.text).toMatch(
      /^ +cluster2 +ns\/sample\/sa\/sleep +cc01 +2026-12-04 10:55 +expired 5m ago$/,
    )
    expect(expired?.style).toBe('warn')
    expect(lines.map((l) => l.text)).toContain(
      'WORKLOAD CERTIFICATES  signed by the intermediates; ids spiffe://cluster.local/…',
    )
  })
})
