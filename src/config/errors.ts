// Configuration errors: every problem found in a topology file, each with its position, a
// stable code, and a message that says how to fix it.

/** Stable codes for each kind of topology problem; tests and `-o json` consumers rely on them. */
export const ProblemCode = {
  Syntax: 'MESHSIM_CONFIG_SYNTAX',
  DuplicateKey: 'MESHSIM_CONFIG_DUPLICATE_KEY',
  TooLarge: 'MESHSIM_CONFIG_TOO_LARGE',
  TooComplex: 'MESHSIM_CONFIG_TOO_COMPLEX',
  ReservedKey: 'MESHSIM_CONFIG_RESERVED_KEY',
  UnknownField: 'MESHSIM_CONFIG_UNKNOWN_FIELD',
  MissingField: 'MESHSIM_CONFIG_MISSING_FIELD',
  WrongType: 'MESHSIM_CONFIG_WRONG_TYPE',
  BadValue: 'MESHSIM_CONFIG_BAD_VALUE',
  UnknownKind: 'MESHSIM_CONFIG_UNKNOWN_KIND',
  NoMesh: 'MESHSIM_CONFIG_NO_MESH',
  UnknownReference: 'MESHSIM_CONFIG_UNKNOWN_REFERENCE',
  Duplicate: 'MESHSIM_CONFIG_DUPLICATE_NAME',
  BadControlPlane: 'MESHSIM_CONFIG_BAD_CONTROL_PLANE',
  CidrOverlap: 'MESHSIM_CONFIG_CIDR_OVERLAP',
  OutsideCidr: 'MESHSIM_CONFIG_OUTSIDE_CIDR',
  NoGateway: 'MESHSIM_CONFIG_NO_GATEWAY',
  FileNotFound: 'MESHSIM_CONFIG_FILE_NOT_FOUND',
  BadCertificates: 'MESHSIM_CONFIG_BAD_CERTIFICATES',
  // Istio resources (VirtualService, DestinationRule, ServiceEntry, Gateway).
  /** A real Kubernetes or Istio kind that meshsim does not read yet. */
  UnsupportedKind: 'MESHSIM_CONFIG_UNSUPPORTED_KIND',
  /** A valid Istio field or value meshsim cannot honour; ignoring it would change routing. */
  UnsupportedField: 'MESHSIM_CONFIG_UNSUPPORTED_FIELD',
  /** metadata.namespace differs from the namespace the resources are applied to. */
  NamespaceMismatch: 'MESHSIM_CONFIG_NAMESPACE_MISMATCH',
  BadHost: 'MESHSIM_CONFIG_BAD_HOST',
  BadRegex: 'MESHSIM_CONFIG_BAD_REGEX',
  BadWeight: 'MESHSIM_CONFIG_BAD_WEIGHT',
  /** Fields that may not be set together (route and directResponse, distribute and failover). */
  Conflict: 'MESHSIM_CONFIG_CONFLICTING_FIELDS',
  // Warnings: the resource is accepted.
  /** Istio accepts it but it has no effect (silently ignored). */
  Ignored: 'MESHSIM_CONFIG_IGNORED',
  /** Istio's validation accepts it with a warning (deprecated, unreachable rules). */
  IstioWarning: 'MESHSIM_CONFIG_ISTIO_WARNING',
  /** meshsim accepts it but does not emulate it yet. */
  NotEmulated: 'MESHSIM_CONFIG_NOT_EMULATED',
} as const
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode]

export interface Problem {
  readonly code: ProblemCode
  /** The file as the user named it. */
  readonly file: string
  /** 1-based line and column. */
  readonly line: number
  readonly col: number
  /** Where in the document, e.g. `spec.clusters[1].eastWestGateway.port`; empty for the whole file. */
  readonly path: string
  readonly message: string
}

/** Renders a problem the way compilers do: `FILE:LINE:COL: path: message`. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`
}

/** Thrown by the loader with every problem it found, sorted by position. */
export class ConfigError extends Error {
  readonly code = 'MESHSIM_CONFIG_INVALID'
  readonly problems: readonly Problem[]

  constructor(problems: readonly Problem[]) {
    const n = problems.length
    super(
      `${n} problem${n === 1 ? '' : 's'} in the topology:\n${problems.map(formatProblem).join('\n')}`,
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Thrown when a topology file cannot be read at all (missing, unreadable, a directory). */
export class ConfigReadError extends Error {
  readonly code = 'MESHSIM_CONFIG_UNREADABLE'
  readonly file: string

  constructor(file: string, reason: string) {
    super(`${file}: cannot read: ${reason}`)
    this.name = 'ConfigReadError'
    this.file = file
  }
}
