// `meshsim certs --out DIR --clusters c1,c2`: a root and one intermediate per cluster, written
// in the layout of Istio's tools/certs Makefile, then the kubectl commands that plug them in.

import { join } from 'node:path'
import {
  CaError,
  type ClusterAuthority,
  certsLayout,
  createClusterCa,
  createRootCa,
  loadRootCa,
  OutputExistsError,
  ReadError,
  type RootAuthority,
  WriteError,
  writeLayout,
} from '../../ca/index.ts'
import { isDns1123Label } from '../../model/index.ts'
import { ExitCode, type Io } from '../io.ts'

export interface CertsOptions {
  readonly out: string
  readonly clusters: readonly string[]
  readonly rootCert?: string
  readonly rootKey?: string
  readonly keyAlgorithm?: 'ECDSA' | 'RSA'
  readonly force?: boolean
}

function usageProblem(opts: CertsOptions): string | undefined {
  if (opts.out.trim() === '') return '--out must name a folder'
  if (opts.clusters.length === 0) {
    return '--clusters needs at least one cluster name, e.g. --clusters cluster1,cluster2'
  }
  for (const name of opts.clusters) {
    if (!isDns1123Label(name)) {
      return `cluster name ${JSON.stringify(name)} is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), e.g. cluster1`
    }
  }
  const dup = opts.clusters.find((c, i) => opts.clusters.indexOf(c) !== i)
  if (dup !== undefined) return `cluster ${dup} is listed twice in --clusters`
  if (opts.rootKey !== undefined && opts.rootCert === undefined) {
    return '--root-key needs --root-cert (the certificate of that key)'
  }
  if (opts.rootCert !== undefined && opts.rootKey === undefined) {
    return '--root-cert needs --root-key: the root must sign the cluster intermediates'
  }
  if (
    opts.keyAlgorithm !== undefined &&
    opts.keyAlgorithm !== 'ECDSA' &&
    opts.keyAlgorithm !== 'RSA'
  ) {
    return `--key-algorithm must be ECDSA or RSA, not ${JSON.stringify(opts.keyAlgorithm)}`
  }
  return undefined
}

function exitCodeOf(err: CaError, stage: 'root' | 'write'): number {
  if (err instanceof OutputExistsError || err instanceof WriteError) return ExitCode.CantCreate
  if (stage === 'root') return err instanceof ReadError ? ExitCode.NoInput : ExitCode.DataErr
  return ExitCode.Error
}

function kubectlCommand(out: string, cluster: string): string {
  const files = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem']
  const from = files.map((f) => `--from-file=${join(out, cluster, f)}`).join(' ')
  return `kubectl create secret generic cacerts -n istio-system ${from}`
}

export async function certsCommand(opts: CertsOptions, io: Io): Promise<number> {
  const problem = usageProblem(opts)
  if (problem) {
    io.stderr.write(`error: ${problem}\n`)
    return ExitCode.Usage
  }
  const keyAlgorithm = opts.keyAlgorithm ?? 'ECDSA'
  let stage: 'root' | 'write' = 'root'
  try {
    const reuse = opts.rootCert !== undefined
    const root: RootAuthority =
      opts.rootCert !== undefined
        ? loadRootCa(opts.rootCert, opts.rootKey)
        : createRootCa({ keyAlgorithm })
    const clusters: ClusterAuthority[] = opts.clusters.map((name) =>
      createClusterCa(root, name, { keyAlgorithm }),
    )
    stage = 'write'
    // A reused root's key stays where it is: copying private keys around is the caller's call.
    const files = certsLayout(opts.out, root, clusters, { includeRootKey: !reuse })
    for (const path of writeLayout(files, { force: opts.force ?? false })) {
      io.stdout.write(`wrote ${path}\n`)
    }
    if (reuse)
      io.stdout.write(`reused root ${root.subject} from ${opts.rootCert} (key not copied)\n`)
    io.stdout.write(
      "\nPlug each cluster's CA into Istio (run against that cluster, before installing Istio):\n",
    )
    for (const c of opts.clusters) {
      io.stdout.write(
        `# ${c}\nkubectl create namespace istio-system\n${kubectlCommand(opts.out, c)}\n`,
      )
    }
    return ExitCode.Ok
  } catch (err) {
    if (err instanceof CaError) {
      io.stderr.write(`error: ${err.message}\n`)
      return exitCodeOf(err, stage)
    }
    io.stderr.write(`error: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`)
    return ExitCode.Error
  }
}
