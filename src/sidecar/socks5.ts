// The SOCKS5 handshake (RFC 1928, no authentication, CONNECT only) that lets any tool send its
// traffic from a pod via ALL_PROXY=socks5h://. Returns the requested destination, or undefined
// after replying with the matching error; the caller then replies success and splices.

import type { Socket } from 'node:net'

export interface SocksTarget {
  readonly host: string
  readonly port: number
}

/** Reply codes: 0 succeeded, 1 general failure, 4 host unreachable, 5 refused, 7 command unsupported. */
export function socksReply(socket: Socket, code: number): void {
  socket.write(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
}

/** Reads exactly `n` bytes, or resolves undefined if the socket ends first or sends too much. */
function reader(socket: Socket): (n: number) => Promise<Buffer | undefined> {
  let buffered = Buffer.alloc(0)
  let want = 0
  let waiting: ((b: Buffer | undefined) => void) | undefined
  let ended = false
  const pump = () => {
    if (waiting && buffered.length < want && ended) {
      const w = waiting
      waiting = undefined
      w(undefined)
    } else if (waiting && buffered.length >= want) {
      const out = buffered.subarray(0, want)
      buffered = buffered.subarray(want)
      const w = waiting
      waiting = undefined
      w(out)
    }
  }
  const onData = (c: Buffer) => {
    buffered = Buffer.concat([buffered, c])
    pump()
  }
  // The client may shut its side between two reads: later reads then see the end.
  const onEnd = () => {
    ended = true
    pump()
  }
  socket.on('data', onData)
  socket.once('close', onEnd)
  socket.once('end', onEnd)
  return (n) => {
    if (n === 0) {
      socket.off('data', onData)
      socket.off('close', onEnd)
      socket.off('end', onEnd)
      // Hand back anything read past the handshake.
      if (buffered.length > 0) socket.unshift(buffered)
      socket.pause()
      return Promise.resolve(Buffer.alloc(0))
    }
    want = n
    return new Promise((resolve) => {
      waiting = resolve
      pump()
    })
  }
}

/** Runs the server side of the handshake on a socket whose first byte was 0x05. */
export async function socksHandshake(socket: Socket): Promise<SocksTarget | undefined> {
  const read = reader(socket)
  const head = await read(2)
  if (head?.[0] !== 5) return undefined
  const methods = await read(head[1] ?? 0)
  if (!methods) return undefined
  if (!methods.includes(0)) {
    socket.end(Buffer.from([5, 0xff]))
    return undefined
  }
  socket.write(Buffer.from([5, 0]))
  const req = await read(4)
  if (req?.[0] !== 5) return undefined
  let host: string | undefined
  if (req[3] === 1) {
    const a = await read(4)
    host = a ? [...a].join('.') : undefined
  } else if (req[3] === 3) {
    const len = await read(1)
    const name = len ? await read(len[0] ?? 0) : undefined
    host = name?.toString('latin1')
  } else {
    socksReply(socket, 8)
    socket.end()
    return undefined
  }
  const portBytes = await read(2)
  await read(0)
  if (host === undefined || !portBytes) return undefined
  if (req[1] !== 1) {
    socksReply(socket, 7)
    socket.end()
    return undefined
  }
  return { host, port: portBytes.readUInt16BE(0) }
}
