// Real-socket helpers for the sample app tests: TCP connect and read over node:net, and a wait
// that polls a condition once per event-loop turn (no fixed sleeps).

import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

export async function tcpConnect(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return socket
}

/** Resolves with what arrives until at least `bytes` bytes came in; call it before writing. */
export function read(socket: Socket, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0)
    const stop = () => {
      socket.off('data', onData)
      socket.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk])
      if (got.length >= bytes) {
        stop()
        resolve(got.toString('utf8'))
      }
    }
    const onClose = () => {
      stop()
      reject(new Error(`socket closed after ${JSON.stringify(got.toString('utf8'))}`))
    }
    socket.on('data', onData)
    socket.on('close', onClose)
  })
}

/** Resolves with everything the socket receives until it closes. */
export function readToClose(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

/** Waits, one event-loop turn at a time, until `condition` holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
