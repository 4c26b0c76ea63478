// The record stream keeps the latest records in a ring, oldest first, and tells subscribers.

import { expect, test } from 'vitest'
import { clusterId } from '../../../src/model/index.ts'
import type { AccessRecord } from '../../../src/runtime/index.ts'
import { RecordStream } from '../../../src/runtime/index.ts'

const rec = (n: number): AccessRecord => ({
  proxy: `p${n}`,
  namespace: 'sample',
  cluster: clusterId('cluster1'),
  direction: 'outbound',
  startTime: new Date(0),
  responseCode: 200,
  responseFlags: [],
  bytesReceived: 0,
  bytesSent: 0,
  durationMs: 1,
  downstreamLocalAddress: '10.0.0.1:80',
  downstreamRemoteAddress: '10.0.0.2:1234',
})

test('keeps only the latest records, oldest first, after the ring wraps', () => {
  const stream = new RecordStream(3)
  for (let i = 1; i <= 5; i++) stream.publish(rec(i))
  expect(stream.recent().map((r) => r.proxy)).toEqual(['p3', 'p4', 'p5'])
})

test('subscribers see each record, and a throwing subscriber does not stop the others', () => {
  const stream = new RecordStream()
  const seen: string[] = []
  stream.subscribe(() => {
    throw new Error('boom')
  })
  const stop = stream.subscribe((r) => seen.push(r.proxy))
  stream.publish(rec(1))
  stop()
  stream.publish(rec(2))
  expect(seen).toEqual(['p1'])
})
