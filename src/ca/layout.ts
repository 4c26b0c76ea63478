// The folder layout of Istio's tools/certs Makefile: <out>/root-cert.pem, root-key.pem and per
// cluster <out>/<cluster>/{ca-cert,ca-key,cert-chain,root-cert}.pem. Keys are written 0600.

import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CACERTS_FILES } from './cacerts.ts'
import type { ClusterAuthority } from './cluster-ca.ts'
import { OutputExistsError, WriteError } from './errors.ts'
import type { RootAuthority } from './root.ts'

export interface LayoutFile {
  readonly path: string
  readonly contents: string
  /** Private keys: written with mode 0600. */
  readonly secret: boolean
}

/** What the Makefile would leave in `out`; root-key.pem only when `includeRootKey` and known. */
export function certsLayout(
  out: string,
  root: RootAuthority,
  clusters: readonly ClusterAuthority[],
  opts: { readonly includeRootKey?: boolean } = {},
): LayoutFile[] {
  const files: LayoutFile[] = [
    { path: join(out, 'root-cert.pem'), contents: root.certPem, secret: false },
  ]
  if ((opts.includeRootKey ?? true) && root.keyPem !== undefined) {
    files.push({ path: join(out, 'root-key.pem'), contents: root.keyPem, secret: true })
  }
  for (const ca of clusters) {
    const dir = join(out, ca.clusterName)
    files.push(
      { path: join(dir, CACERTS_FILES.caCert), contents: ca.certPem, secret: false },
      { path: join(dir, CACERTS_FILES.caKey), contents: ca.keyPem, secret: true },
      { path: join(dir, CACERTS_FILES.certChain), contents: ca.certChainPem, secret: false },
      { path: join(dir, CACERTS_FILES.rootCert), contents: ca.rootCertPem, secret: false },
    )
  }
  return files
}

function writeFailure(path: string, cause: unknown): WriteError {
  const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
  return new WriteError(`cannot write ${path} (${code}); choose an --out folder you can write to`, {
    files: [path],
    cause,
  })
}

/**
 * Writes the files; refuses (before writing anything) when one exists, unless `force`.
 * Returns the paths written, in order.
 */
export function writeLayout(
  files: readonly LayoutFile[],
  opts: { readonly force?: boolean } = {},
): string[] {
  const force = opts.force ?? false
  if (!force) {
    const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path)
    if (existing.length > 0) {
      throw new OutputExistsError(
        `refusing to overwrite ${existing.join(', ')}; pick another --out folder or pass --force to replace them`,
        { files: existing },
      )
    }
  }
  const written: string[] = []
  for (const file of files) {
    try {
      mkdirSync(dirname(file.path), { recursive: true })
      writeFileSync(file.path, file.contents, {
        mode: file.secret ? 0o600 : 0o644,
        flag: force ? 'w' : 'wx',
      })
      // mode only applies when the file is created; --force may be replacing a looser one.
      if (file.secret) chmodSync(file.path, 0o600)
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new OutputExistsError(
          `refusing to overwrite ${file.path}, which appeared while writing; pass --force to replace it`,
          { files: [file.path] },
        )
      }
      throw writeFailure(file.path, cause)
    }
    written.push(file.path)
  }
  return written
}
