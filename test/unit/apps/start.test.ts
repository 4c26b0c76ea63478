import { once } from 'node:events'
import { Agent, get, type IncomingMessage } from 'node:http'
import { afterEach, expect, test } from 'vitest'
import { type SampleAppHandle, startSampleApp } from '../../../src/apps/index.ts'
import { read, tcpConnect, until } from './sockets.ts'

const handles: SampleAppHandle[] = []
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()))
})

async function start(sample: 'helloworld' | 'httpbin' | 'tcp-echo'): Promise<SampleAppHandle> {
  const handle = await startSampleApp(sample, { version: 'v2', instance: 'pod-7d9f8c6b5-abcde' })
  handles.push(handle)
  return handle
}

test('sleep starts nothing: it is only a client in Istio', async () => {
  expect(await startSampleApp('sleep', { instance: 'sleep-5d8d9c7b8-qw2er' })).toBeUndefined()
})

test('helloworld answers over a real socket on 127.0.0.1', async () => {
  const { port } = await start('helloworld')
  expect(port).toBeGreaterThan(0)
  const res = await fetch(`http://127.0.0.1:${port}/hello`)
  expect(await res.text()).toBe('Hello version: v2, instance: pod-7d9f8c6b5-abcde\n')
})

test('httpbin answers over a real socket and sees the real peer', async () => {
  const { port } = await start('httpbin')
  const res = await fetch(`http://127.0.0.1:${port}/get?x=1`)
  const body = (await res.json()) as {
    origin: string
    url: string
    headers: Record<string, string>
  }
  expect(body.origin).toBe('127.0.0.1')
  expect(body.url).toBe(`http://127.0.0.1:${port}/get?x=1`)
  expect(body.headers.Host).toBe(`127.0.0.1:${port}`)
})

test('tcp-echo answers over a real socket', async () => {
  const { port } = await start('tcp-echo')
  const client = await tcpConnect(port)
  const reply = read(client, 'hello mesh\n'.length)
  client.write('mesh\n')
  expect(await reply).toBe('hello mesh\n')
  client.destroy()
})

test('close() finishes while an idle keep-alive connection is open', async () => {
  const handle = await start('helloworld')
  const agent = new Agent({ keepAlive: true })
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get({ host: '127.0.0.1', port: handle.port, path: '/health', agent }, resolve).on(
      'error',
      reject,
    ),
  )
  res.resume()
  await until(() => Object.values(agent.freeSockets).flat().length === 1)
  const [pooled] = Object.values(agent.freeSockets).flat()
  expect(pooled?.destroyed).toBe(false)
  const gone = once(pooled as NonNullable<typeof pooled>, 'close')
  await handle.close()
  await gone
  agent.destroy()
})

test('close() cuts a /delay in flight instead of waiting for it', async () => {
  const handle = await start('httpbin')
  const pending = fetch(`http://127.0.0.1:${handle.port}/delay/10`)
  // The /delay went out first, on its own connection; once a later /get is answered, it is in.
  await fetch(`http://127.0.0.1:${handle.port}/get`).then((r) => r.text())
  await handle.close()
  await expect(pending).rejects.toThrow()
})

test('close() may be called twice', async () => {
  const handle = await start('tcp-echo')
  await handle.close()
  await expect(handle.close()).resolves.toBeUndefined()
})
