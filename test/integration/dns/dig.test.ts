// BIND's dig agrees: a real resolver client gets the Service's A records over UDP and TCP and
// NXDOMAIN for an unknown name. Skipped only when `dig` is not on PATH (Debian: dnsutils).

import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { HELLO, serve } from './wire.ts'

const run = promisify(execFile)
const digMissing = spawnSync('dig', ['-v']).error !== undefined

interface DigResult {
  readonly status: string | undefined
  readonly flags: readonly string[]
  readonly answers: readonly (readonly [name: string, ttl: number, address: string])[]
}

// Async on purpose: a synchronous child would block the event loop the server answers on.
async function dig(port: number, args: readonly string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', ...args])
  return {
    status: /status: (\w+)/.exec(stdout)?.[1],
    flags: /flags: ([^;]*);/.exec(stdout)?.[1]?.trim().split(/\s+/) ?? [],
    answers: [...stdout.matchAll(/^(\S+)\s+(\d+)\s+IN\s+A\s+(\S+)$/gm)].map(
      (m) => [m[1] ?? '', Number(m[2]), m[3] ?? ''] as const,
    ),
  }
}

describe.skipIf(digMissing)(
  digMissing ? 'dig (skipped: no `dig` on PATH; apt-get install dnsutils)' : 'dig',
  () => {
    test.each([
      ['UDP', 'udp', []],
      ['TCP', 'tcp', ['+tcp']],
    ] as const)(
      'dig over %s gets the A records, authoritatively',
      async (_label, transport, extra) => {
        const server = await serve()
        const result = await dig(server[transport].port, [HELLO, ...extra])
        expect(result.status).toBe('NOERROR')
        expect(result.flags).toContain('aa')
        expect(result.answers).toEqual([
          [`${HELLO}.`, 30, '10.0.0.5'],
          [`${HELLO}.`, 30, '10.0.0.6'],
        ])
      },
    )

    test('dig gets NXDOMAIN for a name that is not in the table', async () => {
      const server = await serve()
      const result = await dig(server.udp.port, ['nope.sample.svc.cluster.local'])
      expect(result.status).toBe('NXDOMAIN')
      expect(result.answers).toEqual([])
    })
  },
)
