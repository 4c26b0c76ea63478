// Locality failover (D8) on two-networks.yaml, whose clusters are in us-east1 and us-west1: with
// a DestinationRule that has outlierDetection, cluster1's sleep keeps to its own locality (v1);
// when v1 fails it is ejected and traffic fails over to the other locality (v2, through the
// gateway). Without outlierDetection there is no locality preference.

import { expect, test, vi } from 'vitest'
import { parseResources } from '../../src/config/index.ts'
import { clusterId } from '../../src/model/index.ts'
import { adminOf, cli } from '../helpers/cli.ts'
import { callFrom, tally } from '../helpers/mesh.ts'
import { endpointsOf, exampleSpec, HELLO, HELLO_CLUSTER, sharedMesh } from '../helpers/traffic.ts'

const FAILOVER = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: helloworld, namespace: sample}
spec:
  host: helloworld.sample.svc.cluster.local
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 1m
`

const mesh = sharedMesh(() => exampleSpec('two-networks.yaml'), { seed: 8 })

test('with outlierDetection, sleep keeps to its locality and fails over when the local pod dies', async () => {
  const m = mesh()
  m.apply(clusterId('cluster1'), parseResources(FAILOVER, { file: 'dr.yaml' }).resources)
  await m.settled()
  const priorities = endpointsOf(m, 'cluster1/sample/sleep', HELLO_CLUSTER).map(
    (e) => `${e.kind} ${e.locality} p${e.priority}`,
  )
  expect(priorities).toEqual(['pod us-east1/us-east1-b p0', 'gateway us-west1/us-west1-a p1'])
  expect(await tally(m, 'cluster1/sample/sleep', HELLO, 20)).toEqual({ v1: 20 })

  await m.pod('cluster1/sample/helloworld')?.sidecar?.crashThreadForTest()
  // The dead pod is ejected after its first failure; from then on v2 answers everything.
  await vi.waitFor(
    async () => expect((await callFrom(m, 'cluster1/sample/sleep', HELLO)).body).toContain('v2'),
    { timeout: 5000, interval: 1 },
  )
  expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v2: 10 })
  // istioctl pc endpoints shows the ejection as a failed outlier check.
  const admin = await adminOf(m)
  const pc = await cli([
    'pc',
    'endpoints',
    'sleep.sample',
    '--context',
    'cluster1',
    '--admin',
    admin,
  ])
  const v1 = m.pod('cluster1/sample/helloworld')
  expect(pc.stdout).toMatch(
    new RegExp(
      `\\n${v1?.ip.replaceAll('.', '\\.')}:5000\\s+HEALTHY\\s+FAILED\\s+outbound\\|5000\\|\\|helloworld`,
    ),
  )
  expect(pc.stdout).toMatch(
    /\n192\.168\.1\.247:15443\s+HEALTHY\s+OK\s+outbound\|5000\|\|helloworld/,
  )
})
