import { describe, expect, test } from 'vitest'
import {
  type ClusterKey,
  clusterName,
  parseClusterKey,
  serviceHost,
  sniName,
} from '../../../src/model/index.ts'

const hello = serviceHost('helloworld.sample.svc.cluster.local')

describe('cluster names and SNIs, as Istio writes them', () => {
  test.each([
    [
      { direction: 'outbound', port: 5000, subset: '', host: hello },
      'outbound|5000||helloworld.sample.svc.cluster.local',
      'outbound_.5000_._.helloworld.sample.svc.cluster.local',
    ],
    [
      { direction: 'outbound', port: 5000, subset: 'v2', host: hello },
      'outbound|5000|v2|helloworld.sample.svc.cluster.local',
      'outbound_.5000_.v2_.helloworld.sample.svc.cluster.local',
    ],
    [
      { direction: 'outbound', port: 8000, subset: '', host: serviceHost('httpbin.bar.global') },
      'outbound|8000||httpbin.bar.global',
      'outbound_.8000_._.httpbin.bar.global',
    ],
    [
      { direction: 'inbound', port: 8080, subset: '', host: '' },
      'inbound|8080||',
      'inbound_.8080_._.',
    ],
  ] as [ClusterKey, string, string][])(
    '%o is %s and sends SNI %s; both parse back',
    (key, name, sni) => {
      expect(clusterName(key)).toBe(name)
      expect(sniName(key)).toBe(sni)
      expect(parseClusterKey(name)).toEqual(key)
      expect(parseClusterKey(sni)).toEqual(key)
    },
  )

  test('a host containing the separator parses to no host, as Istio ParseSubsetKey does', () => {
    expect(parseClusterKey('outbound_.5000_._.a_.b.svc.cluster.local')?.host).toBe('')
    expect(parseClusterKey('outbound|5000||a|b')?.host).toBe('')
  })

  test.each([
    '',
    'helloworld.sample.svc.cluster.local',
    'outbound_.5000_.',
    'outbound|http||helloworld',
    'outbound|0||helloworld',
    'outbound|65536||helloworld',
    'outbound|+50||helloworld',
    'sideways|5000||helloworld',
    'OUTBOUND_.5000_._.helloworld',
  ])('%j is not a cluster key', (key) => {
    expect(parseClusterKey(key)).toBeUndefined()
  })
})
