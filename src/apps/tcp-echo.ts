// Istio's samples/tcp-echo: for each line a client sends, writes back the prefix, a space and the
// line. The client's EOF closes the connection and drops an unterminated last line, as in Go.

import { createServer, type Server, type Socket } from 'node:net'

export interface TcpEchoServer {
  /** Not listening yet: call `server.listen()`. */
  readonly server: Server
  /** Stops accepting, destroys every open connection and resolves once the server has closed. */
  close(): Promise<void>
}

// Go's bufio reader has no limit; one line this long can only be abuse, so the connection is cut.
const MAX_LINE_BYTES = 1024 * 1024

function echoLines(socket: Socket, head: Buffer): void {
  let partial: Buffer[] = []
  let partialBytes = 0
  socket.on('data', (chunk: Buffer) => {
    const out: Buffer[] = []
    let start = 0
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      out.push(head, ...partial, chunk.subarray(start, end + 1))
      partial = []
      partialBytes = 0
      start = end + 1
    }
    if (start < chunk.length) {
      partial.push(chunk.subarray(start))
      partialBytes += chunk.length - start
      if (partialBytes > MAX_LINE_BYTES) {
        socket.destroy()
        return
      }
    }
    if (out.length > 0 && !socket.write(Buffer.concat(out))) {
      socket.pause()
      socket.once('drain', () => socket.resume())
    }
  })
}

/** One port of Istio's `tcp-echo 9000,9001,9002 hello` (all its ports answer alike). */
export function buildTcpEcho(prefix = 'hello'): TcpEchoServer {
  const sockets = new Set<Socket>()
  const head = Buffer.from(`${prefix} `)
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // A reset or a write after the peer left: the socket is gone, the process must not be.
    socket.on('error', () => socket.destroy())
    echoLines(socket, head)
  })
  let closed: Promise<void> | undefined
  return {
    server,
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    },
  }
}
