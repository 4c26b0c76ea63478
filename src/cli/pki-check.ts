// The CA's verdict on the certificate files a topology names (ca.root files and each cluster's
// cacerts folder), as topology problems: `meshsim validate` reports them at the line naming them.

import { CaError, loadCacerts, loadRootCa } from '../ca/index.ts'
import { type Finding, ProblemCode, type SpecCheck } from '../config/index.ts'

function attempt(path: Finding['path'], load: () => unknown): Finding[] {
  try {
    load()
    return []
  } catch (err) {
    if (!(err instanceof CaError)) throw err
    return [{ code: ProblemCode.BadCertificates, path, message: `${err.message} (${err.code})` }]
  }
}

export const checkPkiFiles: SpecCheck = (spec) => {
  const out: Finding[] = []
  const root = spec.ca.root
  if (!root.generate) {
    out.push(
      ...attempt(['spec', 'ca', 'root', 'certFile'], () => loadRootCa(root.certFile, root.keyFile)),
    )
  }
  spec.clusters.forEach((c, i) => {
    const dir = c.cacerts
    if (dir !== undefined) {
      out.push(
        ...attempt(['spec', 'clusters', i, 'cacerts'], () =>
          loadCacerts(dir, { clusterName: c.name }),
        ),
      )
    }
  })
  return out
}
