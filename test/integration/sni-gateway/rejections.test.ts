// Connections the gateway drops: no filter chain (unknown SNI, no SNI, no Istio ALPN, plaintext),
// hellos too slow or too large, and routed connections with no cluster, no endpoint or a refused
// dial. Each is closed and counted, and the gateway goes on serving.

import { expect, test, vi } from 'vitest'
import { formatAccessLog } from '../../../src/proxy/index.ts'
import { closed, gatewayConfig, type Harness, HELLOWORLD, SNI, startHarness } from './fixture.ts'

/** Writes raw bytes from network1 and resolves once the gateway has closed the connection. */
async function sendRaw(h: Harness, bytes: Buffer): Promise<void> {
  const { socket } = await h.dialGateway()
  socket.write(bytes)
  await closed(socket)
}

/** A sleep sidecar whose handshake the gateway should cut short. */
async function failsHandshake(h: Harness, opts: Parameters<Harness['refused']>[0]): Promise<void> {
  expect(await h.refused(opts)).toBeInstanceOf(Error)
}

// A TLS handshake record header announcing `length` bytes of ClientHello.
const recordHeader = (length: number) => Buffer.from([0x16, 0x03, 0x01, length >> 8, length & 0xff])

const OTHER_SNI = 'outbound_.9080_._.reviews.bookinfo.svc.cluster.local'

const dropped: readonly {
  readonly name: string
  readonly attempt: (h: Harness) => Promise<void>
  readonly counted: Readonly<Record<string, number>>
  /** The listener's NR record, if one is due, with the SNI it names. */
  readonly nr?: { readonly sni: string | undefined }
}[] = [
  {
    name: 'an SNI no filter chain names',
    attempt: (h) => failsHandshake(h, { servername: OTHER_SNI }),
    counted: { no_filter_chain_match: 1, client_hello_error: 0 },
    nr: { sni: OTHER_SNI },
  },
  {
    name: 'a ClientHello without SNI',
    attempt: (h) => failsHandshake(h, { servername: '' }),
    counted: { no_filter_chain_match: 1, client_hello_error: 0 },
    nr: { sni: undefined },
  },
  {
    name: 'a ClientHello offering no Istio ALPN',
    attempt: (h) => failsHandshake(h, { alpn: ['h2', 'http/1.1'] }),
    counted: { no_filter_chain_match: 1, client_hello_error: 0 },
    nr: { sni: SNI },
  },
  {
    name: 'plaintext',
    attempt: (h) => sendRaw(h, Buffer.from('GET / HTTP/1.1\r\nHost: helloworld:5000\r\n\r\n')),
    counted: { no_filter_chain_match: 1, client_hello_error: 1 },
    nr: { sni: undefined },
  },
  {
    name: 'a TLS record that is not a ClientHello',
    // A ServerHello (handshake type 2) where the hello should be.
    attempt: (h) => sendRaw(h, Buffer.concat([recordHeader(4), Buffer.from([2, 0, 0, 0])])),
    counted: { no_filter_chain_match: 1, client_hello_error: 1 },
    nr: { sni: undefined },
  },
  {
    name: 'a ClientHello larger than maxHelloBytes',
    attempt: (h) => sendRaw(h, Buffer.concat([recordHeader(0x4800), Buffer.alloc(0x4800)])),
    counted: { client_hello_too_large: 1, no_filter_chain_match: 0 },
  },
  {
    name: 'a ClientHello that does not arrive within helloTimeoutMs',
    attempt: (h) => sendRaw(h, recordHeader(512).subarray(0, 3)),
    counted: { client_hello_timeout: 1, no_filter_chain_match: 0 },
  },
]

test.each(dropped)(
  '$name is closed and counted, and the gateway keeps serving',
  async ({ attempt, counted, nr }) => {
    const h = await startHarness({ helloTimeoutMs: 50 })
    const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
    h.gateway.apply(gatewayConfig(1, [pod]))

    await attempt(h)
    await vi.waitFor(() =>
      expect(h.gateway.stats()).toMatchObject({ ...counted, downstream_cx_active: 0 }),
    )
    expect(h.gateway.stats()).toMatchObject({ upstream_cx_total: 0 })
    expect(pod.peers).toEqual([])
    expect(h.records.map((r) => [r.responseFlags, r.requestedServerName])).toEqual(
      nr ? [[['NR'], nr.sni]] : [],
    )

    const client = await h.connect()
    expect(client.serverId).toBe(HELLOWORLD)
    expect(await client.send('still there?')).toBe('helloworld-v2:still there?')
  },
)

test('a connection with no filter chain is logged at the listener with NR and its SNI', async () => {
  const h = await startHarness()
  h.gateway.apply(gatewayConfig(1, []))
  const unknown = 'outbound_.5000_.v3_.helloworld.sample.svc.cluster.local'
  await h.refused({ servername: unknown })
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  expect(h.records[0]).toMatchObject({
    responseFlags: ['NR'],
    responseCodeDetails: 'filter_chain_not_found',
    requestedServerName: unknown,
    bytesSent: 0,
  })
  expect(h.records[0]).not.toHaveProperty('upstreamCluster')
  expect(h.records[0]).not.toHaveProperty('upstreamHost')
  expect(h.records[0]?.bytesReceived).toBeGreaterThan(0)
})

test('a connection whose cluster has no endpoints is closed with UH', async () => {
  const h = await startHarness()
  h.gateway.apply(gatewayConfig(1, []))
  expect(await h.refused()).toBeInstanceOf(Error)
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  expect(h.records[0]).toMatchObject({
    responseFlags: ['UH'],
    upstreamCluster: SNI,
    requestedServerName: SNI,
  })
  expect(h.records[0]).not.toHaveProperty('upstreamHost')
  expect(h.gateway.stats()).toMatchObject({
    upstream_cx_none_healthy: 1,
    [`cluster.${SNI}.upstream_cx_none_healthy`]: 1,
    upstream_cx_total: 0,
  })
})

test('a filter chain whose cluster is missing closes the connection with NC', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod], { withCluster: false }))
  await h.refused()
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  expect(h.records[0]).toMatchObject({ responseFlags: ['NC'], requestedServerName: SNI })
  expect(h.records[0]).not.toHaveProperty('upstreamCluster')
  expect(h.gateway.stats()).toMatchObject({ downstream_cx_no_route: 1 })
})

test('a refused upstream dial closes the connection with UF,URX', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  // The pod is there, but nothing listens on its virtual port 5001 (a fabric address, not a bind).
  h.gateway.apply(gatewayConfig(1, [{ ip: pod.ip, port: 5001 }]))
  await h.refused()
  await vi.waitFor(() => expect(h.records).toHaveLength(1))
  const record = h.records[0]
  expect(record).toMatchObject({
    responseFlags: ['UF', 'URX'],
    upstreamHost: '10.20.0.10:5001',
    upstreamCluster: SNI,
  })
  expect(record).not.toHaveProperty('upstreamLocalAddress')
  expect(record && formatAccessLog(record)).toContain(' 0 UF,URX - - "-" ')
  expect(h.gateway.stats()).toMatchObject({
    upstream_cx_total: 1,
    upstream_cx_connect_fail: 1,
    [`cluster.${SNI}.upstream_cx_connect_fail`]: 1,
  })
})
