// Reference chains for the data-path benchmark: the same hops as a cross-network request
// (plaintext in, mTLS out, a gateway that pipes bytes, mTLS terminated, plaintext to the app), one
// upstream connection per client connection, each hop on a thread of its own as the mesh runs
// each pod. As byte pipes they show what Node's sockets and TLS cost on this machine before any
// proxy logic; with `http`, what parsing and rewriting each message at both sidecars adds.

import { Worker } from 'node:worker_threads'
import { POD_RESOURCE_LIMITS } from '../src/runtime/index.ts'
import type { WorkloadSecret } from '../src/xds/index.ts'
import type { HopData } from './pipe-hop.ts'

export interface PipeChain {
  /** Where a client sends plaintext HTTP, as to a capture port. */
  readonly port: number
  close(): Promise<void>
}

export async function startPipeChain(
  appPort: number,
  secret: WorkloadSecret,
  opts: { readonly http?: boolean } = {},
): Promise<PipeChain> {
  const tls = { cert: secret.certChainPem, key: secret.privateKeyPem, ca: secret.rootCertPem }
  const workers: Worker[] = []
  const hop = (kind: HopData['kind'], next: number) =>
    new Promise<number>((resolve, reject) => {
      const data: HopData = { kind, next, tls, http: opts.http === true }
      const w = new Worker(new URL('./pipe-hop.ts', import.meta.url), {
        workerData: data,
        resourceLimits: POD_RESOURCE_LIMITS,
      })
      workers.push(w)
      w.once('message', resolve)
      w.once('error', reject)
    })
  const port = await hop('capture', await hop('gateway', await hop('inbound', appPort)))
  return {
    port,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
