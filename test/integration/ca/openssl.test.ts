// OpenSSL agrees: what `meshsim certs` writes verifies with `openssl verify`, workload certificates
// from a loaded cacerts folder verify against its cert-chain.pem, and a folder made by openssl the
// way Istio's Makefile does loads into meshsim.

import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { explainChain, loadCacerts, type WorkloadSecret } from '../../../src/ca/index.ts'
import { certsCommand } from '../../../src/cli/commands/certs.ts'
import { HTTPBIN, SLEEP } from '../../unit/ca/fixture.ts'

const run = promisify(execFile)

async function openssl(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('openssl', args, cwd === undefined ? {} : { cwd })
  return stdout
}

let tmp: string
let out: string
beforeAll(async () => {
  try {
    await openssl(['version'])
  } catch (err) {
    throw new Error(
      `these tests need the openssl command line tool (looked for "openssl" on PATH: ${(err as Error).message}); install it, e.g. apt-get install openssl`,
    )
  }
  tmp = mkdtempSync(join(tmpdir(), 'meshsim-openssl-'))
  out = join(tmp, 'certs')
  const sink = new Writable({ write: (_c, _e, done) => done() })
  const code = await certsCommand(
    { out, clusters: ['cluster1', 'cluster2', 'cluster3'] },
    { stdout: sink, stderr: sink },
  )
  expect(code).toBe(0)
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The leaf of a secret, written to a file. */
function leafFile(secret: WorkloadSecret, name: string): string {
  const end = '-----END CERTIFICATE-----\n'
  const file = join(tmp, name)
  writeFileSync(file, secret.certChainPem.slice(0, secret.certChainPem.indexOf(end) + end.length))
  return file
}

test.each(['cluster1', 'cluster2', 'cluster3'])(
  'the %s chain that meshsim certs writes passes openssl verify',
  async (cluster) => {
    const stdout = await openssl([
      'verify',
      '-CAfile',
      join(out, 'root-cert.pem'),
      '-untrusted',
      join(out, cluster, 'cert-chain.pem'),
      join(out, cluster, 'ca-cert.pem'),
    ])
    expect(stdout.trim()).toBe(`${join(out, cluster, 'ca-cert.pem')}: OK`)
  },
)

test('a workload certificate issued from a loaded cacerts folder verifies with openssl for TLS client and server use', async () => {
  const ca = loadCacerts(join(out, 'cluster2'))
  const leaf = leafFile(ca.issueWorkload({ identity: SLEEP }), 'sleep.pem')
  for (const purpose of ['sslclient', 'sslserver']) {
    const stdout = await openssl([
      'verify',
      '-purpose',
      purpose,
      '-CAfile',
      join(out, 'root-cert.pem'),
      '-untrusted',
      join(out, 'cluster2', 'cert-chain.pem'),
      leaf,
    ])
    expect(stdout.trim()).toBe(`${leaf}: OK`)
  }
})

test('an RSA workload certificate verifies with openssl too', async () => {
  const ca = loadCacerts(join(out, 'cluster1'))
  const leaf = leafFile(ca.issueWorkload({ identity: SLEEP, keyAlgorithm: 'RSA' }), 'sleep-rsa.pem')
  const stdout = await openssl([
    'verify',
    '-CAfile',
    join(out, 'root-cert.pem'),
    '-untrusted',
    join(out, 'cluster1', 'cert-chain.pem'),
    leaf,
  ])
  expect(stdout.trim()).toBe(`${leaf}: OK`)
})

// tools/certs/common.mk, with 2048-bit keys instead of 4096 to keep the test fast.
const REQ = `[ req ]
encrypt_key = no
prompt = no
utf8 = yes
default_md = sha256
default_bits = 2048
req_extensions = req_ext
x509_extensions = req_ext
distinguished_name = req_dn
`
const ROOT_CONF = `${REQ}[ req_ext ]
subjectKeyIdentifier = hash
basicConstraints = critical, CA:true
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign
[ req_dn ]
O = Istio
CN = Root CA
`
const INTERMEDIATE_CONF = `${REQ}[ req_ext ]
subjectKeyIdentifier = hash
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign
subjectAltName=@san
[ san ]
DNS.1 = istiod.istio-system.svc
[ req_dn ]
O = Istio
CN = Intermediate CA
L = east
`

test("a cacerts folder made by openssl as Istio's Makefile does loads and issues verifiable certificates", async () => {
  const dir = join(tmp, 'makefile')
  mkdirSync(join(dir, 'east'), { recursive: true })
  writeFileSync(join(dir, 'root-ca.conf'), ROOT_CONF)
  writeFileSync(join(dir, 'east', 'intermediate.conf'), INTERMEDIATE_CONF)
  const steps = [
    ['genrsa', '-out', 'root-key.pem', '2048'],
    [
      'req',
      '-sha256',
      '-new',
      '-key',
      'root-key.pem',
      '-config',
      'root-ca.conf',
      '-out',
      'root-cert.csr',
    ],
    [
      'x509',
      '-req',
      '-sha256',
      '-days',
      '3650',
      '-signkey',
      'root-key.pem',
      '-extensions',
      'req_ext',
      '-extfile',
      'root-ca.conf',
      '-in',
      'root-cert.csr',
      '-out',
      'root-cert.pem',
    ],
    ['genrsa', '-out', 'east/ca-key.pem', '2048'],
    [
      'req',
      '-sha256',
      '-new',
      '-config',
      'east/intermediate.conf',
      '-key',
      'east/ca-key.pem',
      '-out',
      'east/cluster-ca.csr',
    ],
    [
      'x509',
      '-req',
      '-sha256',
      '-days',
      '3650',
      '-CA',
      'root-cert.pem',
      '-CAkey',
      'root-key.pem',
      '-CAcreateserial',
      '-extensions',
      'req_ext',
      '-extfile',
      'east/intermediate.conf',
      '-in',
      'east/cluster-ca.csr',
      '-out',
      'east/ca-cert.pem',
    ],
  ]
  for (const step of steps) await openssl(step, dir)
  const rootPem = readFileSync(join(dir, 'root-cert.pem'), 'utf8')
  writeFileSync(join(dir, 'east', 'root-cert.pem'), rootPem)
  writeFileSync(
    join(dir, 'east', 'cert-chain.pem'),
    readFileSync(join(dir, 'east', 'ca-cert.pem'), 'utf8') + rootPem,
  )

  const ca = loadCacerts(join(dir, 'east'))
  expect(ca.clusterName).toBe('east')
  const secret = ca.issueWorkload({ identity: HTTPBIN })
  const leaf = leafFile(secret, 'httpbin.pem')
  const stdout = await openssl([
    'verify',
    '-CAfile',
    join(dir, 'root-cert.pem'),
    '-untrusted',
    join(dir, 'east', 'cert-chain.pem'),
    leaf,
  ])
  expect(stdout.trim()).toBe(`${leaf}: OK`)
  expect(await explainChain({ chain: secret.certChainPem, roots: rootPem })).toMatchObject({
    ok: true,
    spiffeId: HTTPBIN,
  })
})
