// Collects what the checks of one resource find: errors (Istio's validation would reject the
// resource) and warnings (accepted, but ignored by Istio or not emulated by meshsim). Paths are
// relative to the resource; the caller places them in the file.

import type { ProblemCode } from '../errors.ts'
import type { PathSegment } from '../locate.ts'
import type { Finding } from '../references.ts'

export type Path = readonly PathSegment[]

export class Report {
  readonly errors: Finding[] = []
  readonly warnings: Finding[] = []

  error(code: ProblemCode, path: Path, message: string, at?: 'key' | 'value'): void {
    this.errors.push({ code, path, message, ...(at ? { at } : {}) })
  }

  warn(code: ProblemCode, path: Path, message: string, at?: 'key' | 'value'): void {
    this.warnings.push({ code, path, message, ...(at ? { at } : {}) })
  }
}
