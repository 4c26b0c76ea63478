import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { buildTcpEcho, type TcpEchoServer } from '../../../src/apps/index.ts'
import { read, readToClose, tcpConnect } from './sockets.ts'

const started: TcpEchoServer[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((echo) => echo.close()))
})

async function start(prefix?: string): Promise<{ echo: TcpEchoServer; port: number }> {
  const echo = buildTcpEcho(prefix)
  started.push(echo)
  echo.server.listen(0, '127.0.0.1')
  await once(echo.server, 'listening')
  return { echo, port: (echo.server.address() as AddressInfo).port }
}

test('each line comes back after "hello ", however the bytes are split', async () => {
  const { port } = await start()
  const client = await tcpConnect(port)
  const expected = 'hello world\nhello foo\nhello bar\n'
  const reply = read(client, expected.length)
  client.write('wor')
  client.write('ld\nfoo\nb')
  client.write('ar\n')
  expect(await reply).toBe(expected)
  client.destroy()
})

test('a line keeps its CRLF ending, as the Go app echoes the raw bytes', async () => {
  const { port } = await start()
  const client = await tcpConnect(port)
  const reply = read(client, 'hello hi\r\n'.length)
  client.write('hi\r\n')
  expect(await reply).toBe('hello hi\r\n')
  client.destroy()
})

test('the prefix is configurable', async () => {
  const { port } = await start('bye')
  const client = await tcpConnect(port)
  const reply = read(client, 'bye x\n'.length)
  client.write('x\n')
  expect(await reply).toBe('bye x\n')
  client.destroy()
})

test("the client's EOF closes the connection and drops an unterminated last line", async () => {
  const { port } = await start()
  const client = await tcpConnect(port)
  const all = readToClose(client)
  client.end('one\ntwo')
  expect(await all).toBe('hello one\n')
})

test('a client resetting its connection does not stop the server', async () => {
  const { port } = await start()
  const rude = await tcpConnect(port)
  rude.write('x'.repeat(64 * 1024))
  rude.resetAndDestroy()
  await once(rude, 'close')
  const polite = await tcpConnect(port)
  const reply = read(polite, 'hello still here\n'.length)
  polite.write('still here\n')
  expect(await reply).toBe('hello still here\n')
  polite.destroy()
})

test('a line over 1 MiB without a newline gets the connection cut', async () => {
  const { port } = await start()
  const client = await tcpConnect(port)
  const all = readToClose(client)
  client.on('error', () => {})
  client.write(Buffer.alloc(1024 * 1024 + 1, 0x61))
  expect(await all).toBe('')
})

test('close() drops open connections and resolves', async () => {
  const { echo, port } = await start()
  const client = await tcpConnect(port)
  const reply = read(client, 'hello a\n'.length)
  client.write('a\n')
  await reply
  const closed = readToClose(client)
  await echo.close()
  await closed
  expect(echo.server.listening).toBe(false)
  expect(client.destroyed).toBe(true)
})
