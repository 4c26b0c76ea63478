// Runs a sample app as a pod would, but on 127.0.0.1 at a free port. sleep is only a client in
// Istio (its container runs `sleep infinity`), so nothing listens for it and there is no handle.

import type { AddressInfo, Server } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildHelloworld } from './helloworld.ts'
import { buildHttpbin } from './httpbin.ts'
import { buildTcpEcho } from './tcp-echo.ts'

export type SampleName = 'helloworld' | 'sleep' | 'httpbin' | 'tcp-echo'

export interface SampleAppOptions {
  /** The pod's `version` label (helloworld prints it). */
  readonly version?: string
  /** The pod name, the app's HOSTNAME. */
  readonly instance: string
}

export interface SampleAppHandle {
  /** The port on 127.0.0.1 the app listens on. */
  readonly port: number
  /** Stops the app, dropping open connections (idle keep-alive ones too); safe to call twice. */
  close(): Promise<void>
}

const HOST = '127.0.0.1'

async function startHttp(app: FastifyInstance): Promise<SampleAppHandle> {
  try {
    await app.listen({ host: HOST, port: 0 })
  } catch (error) {
    await app.close()
    throw error
  }
  const { port } = app.server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    port,
    close: () => {
      closed ??= app.close().then(() => undefined)
      return closed
    },
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => {
      server.off('error', reject)
      // Later errors are failed accepts (e.g. EMFILE): the app keeps serving, as Go's loop does.
      server.on('error', () => {})
      resolve((server.address() as AddressInfo).port)
    })
  })
}

async function startTcpEcho(): Promise<SampleAppHandle> {
  const echo = buildTcpEcho()
  return { port: await listen(echo.server), close: () => echo.close() }
}

/** Starts `sample`; resolves `undefined` for sleep, which serves nothing. */
export function startSampleApp(sample: 'sleep', opts: SampleAppOptions): Promise<undefined>
export function startSampleApp(
  sample: Exclude<SampleName, 'sleep'>,
  opts: SampleAppOptions,
): Promise<SampleAppHandle>
export function startSampleApp(
  sample: SampleName,
  opts: SampleAppOptions,
): Promise<SampleAppHandle | undefined>
export async function startSampleApp(
  sample: SampleName,
  opts: SampleAppOptions,
): Promise<SampleAppHandle | undefined> {
  switch (sample) {
    case 'sleep':
      return undefined
    case 'helloworld':
      return startHttp(buildHelloworld(opts))
    case 'httpbin':
      return startHttp(buildHttpbin())
    case 'tcp-echo':
      return startTcpEcho()
  }
}
