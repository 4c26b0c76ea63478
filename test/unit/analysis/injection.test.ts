// IST0102: a declared Namespace with neither istio-injection nor istio.io/rev.

import { expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { cluster, located, mesh, res } from './fixtures.ts'

const ns = (name: string, labels?: Record<string, string>) =>
  res({ kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } })

test("an unlabelled Namespace is Info IST0102 on `Namespace <name>`, with Istio's text", () => {
  expect(analyze(mesh(cluster('cluster1', { resources: located(ns('plain')) })))).toEqual([
    {
      level: 'Info',
      code: 'IST0102',
      resource: { kind: 'Namespace', namespace: '', name: 'plain', cluster: 'cluster1' },
      message:
        "The namespace is not enabled for Istio injection. Run 'kubectl label namespace plain istio-injection=enabled' to enable it, or 'kubectl label namespace plain istio-injection=disabled' to explicitly mark it as not needing injection.",
      documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0102/',
    },
  ])
})

test('enabled, deliberately disabled, revision-labelled, istio-system and kube-system are left alone', () => {
  const resources = located(
    ns('on', { 'istio-injection': 'enabled' }),
    ns('off', { 'istio-injection': 'disabled' }),
    ns('canary', { 'istio.io/rev': '1-24' }),
    ns('istio-system'),
    ns('kube-system'),
  )
  expect(analyze(mesh(cluster('cluster1', { resources })))).toEqual([])
})
