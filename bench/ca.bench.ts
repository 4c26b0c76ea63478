// Minting workload identities (key pair + certificate + PEM): meshsim's fast path (node:crypto
// keys, asn1-x509 TBSCertificate, node:crypto.sign) against @peculiar/x509's generator on WebCrypto.

import 'reflect-metadata'
import { webcrypto, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { type ClusterAuthority, createClusterCa, createRootCa, toPem } from '../src/ca/index.ts'
import type { SpiffeId } from '../src/model/index.ts'

const FAST_COUNT = 1000
const BASELINE_COUNT = 100
const RSA_COUNT = 20
const ROUNDS = 3

type CreateParams = Parameters<typeof x509.X509CertificateGenerator.create>[0]

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const id = (i: number) => `spiffe://cluster.local/ns/bench/sa/sa-${i}` as SpiffeId

function time(fn: () => void): number {
  gc()
  const t = performance.now()
  fn()
  return performance.now() - t
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  gc()
  const t = performance.now()
  await fn()
  return performance.now() - t
}

function mintFast(ca: ClusterAuthority, count: number, keyAlgorithm: 'ECDSA' | 'RSA'): void {
  for (let i = 0; i < count; i++) ca.issueWorkload({ identity: id(i), keyAlgorithm })
}

/** The same identity through @peculiar/x509: WebCrypto keys, generator, PKCS#8 export. */
async function baseline(ca: ClusterAuthority, count: number): Promise<string> {
  const subtle = webcrypto.subtle
  const alg = { name: 'ECDSA', namedCurve: 'P-256' }
  const keyDer = ca.signer.privateKey.export({ type: 'pkcs8', format: 'der' })
  const signingKey = await subtle.importKey('pkcs8', keyDer, alg, false, ['sign'])
  const issuer = ca.certificate.subject.split('\n').join(', ')
  const aki = await x509.AuthorityKeyIdentifierExtension.create(
    new x509.X509Certificate(ca.certificate.raw).publicKey,
  )
  const now = Date.now()
  let last = ''
  for (let i = 0; i < count; i++) {
    const keys = await subtle.generateKey(alg, true, ['sign', 'verify'])
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: webcrypto
        .getRandomValues(new Uint8Array(16))
        .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7'),
      subject: '',
      issuer,
      notBefore: new Date(now - 120_000),
      notAfter: new Date(now + 86_400_000),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as CreateParams['signingAlgorithm'],
      extensions: [
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(
          [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        new x509.BasicConstraintsExtension(false, undefined, true),
        aki,
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id(i) }], true),
      ],
    })
    last = cert.toString('pem')
    toPem(new Uint8Array(await subtle.exportKey('pkcs8', keys.privateKey)), 'PRIVATE KEY')
  }
  return last
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export default async function caBench(): Promise<void> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
  const root = createRootCa()
  const ca = createClusterCa(root, 'bench')
  mintFast(ca, 100, 'ECDSA') // warm up the JIT
  const sample = new X509Certificate(await baseline(ca, 10))
  if (!sample.verify(ca.certificate.publicKey) || sample.subjectAltName !== `URI:${id(9)}`) {
    throw new Error('the baseline does not mint the same certificate; fix the bench')
  }

  const rounds = Array.from({ length: ROUNDS }, () => time(() => mintFast(ca, FAST_COUNT, 'ECDSA')))
  const fastMs = [...rounds].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number
  const baseMs = await timeAsync(async () => {
    await baseline(ca, BASELINE_COUNT)
  })
  const rsaMs = time(() => mintFast(ca, RSA_COUNT, 'RSA'))

  const fastUs = (fastMs * 1000) / FAST_COUNT
  const baseUs = (baseMs * 1000) / BASELINE_COUNT
  const rsaUs = (rsaMs * 1000) / RSA_COUNT
  const rows: [string, number, number, number, string][] = [
    ['fast path, ECDSA P-256', FAST_COUNT, fastMs, fastUs, '1.0'],
    [
      '@peculiar/x509 + WebCrypto, ECDSA P-256',
      BASELINE_COUNT,
      baseMs,
      baseUs,
      fmt(baseUs / fastUs, 1),
    ],
    ['fast path, RSA-2048', RSA_COUNT, rsaMs, rsaUs, fmt(rsaUs / fastUs, 1)],
  ]
  console.log(`\nworkload identities (key pair + certificate + PEM), Node ${process.version}`)
  console.log('| method | count | total ms | µs / identity | × fast path |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [name, count, ms, us, ratio] of rows) {
    console.log(`| ${name} | ${fmt(count)} | ${fmt(ms, 1)} | ${fmt(us)} | ${ratio} |`)
  }
  console.log(
    `fast path rounds of ${FAST_COUNT}: ${rounds.map((r) => `${fmt(r, 1)} ms`).join(', ')} (median shown)`,
  )
  console.log(
    `1,000 ECDSA identities in ${fmt(fastMs, 1)} ms: ${fastMs < 1000 ? 'under' : 'OVER'} the 1 s budget`,
  )
}
