// Errors of the mesh PKI. Each class carries a stable `code`; messages say what is wrong and how
// to fix it. Tests assert on `code`.

export abstract class CaError extends Error {
  abstract readonly code: string
  /** Files the problem is about, when it is about files. */
  readonly files: readonly string[]

  constructor(message: string, options?: { files?: readonly string[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.files = options?.files ?? []
  }
}

/** A file of an Istio `cacerts` folder is missing. */
export class CacertsMissingFileError extends CaError {
  readonly code = 'MESHSIM_CA_CACERTS_MISSING_FILE'
}

/** A file holds no (or broken) PEM data. */
export class BadPemError extends CaError {
  readonly code = 'MESHSIM_CA_BAD_PEM'
}

/** ca-key.pem is not the private key of ca-cert.pem. */
export class CacertsKeyMismatchError extends CaError {
  readonly code = 'MESHSIM_CA_CACERTS_KEY_MISMATCH'
}

/** ca-cert.pem does not chain up to root-cert.pem. */
export class CacertsRootMismatchError extends CaError {
  readonly code = 'MESHSIM_CA_CACERTS_ROOT_MISMATCH'
}

/** cert-chain.pem is not ca-cert.pem followed by its issuers up to root-cert.pem. */
export class CacertsChainMismatchError extends CaError {
  readonly code = 'MESHSIM_CA_CACERTS_CHAIN_MISMATCH'
}

/** A certificate that must sign others is not a CA (no CA:true, or no keyCertSign). */
export class NotACaError extends CaError {
  readonly code = 'MESHSIM_CA_NOT_A_CA'
}

/** A CA certificate loaded from a file has expired. */
export class CertificateExpiredError extends CaError {
  readonly code = 'MESHSIM_CA_CERT_EXPIRED'
}

/** A CA certificate loaded from a file is not valid yet. */
export class CertificateNotYetValidError extends CaError {
  readonly code = 'MESHSIM_CA_CERT_NOT_YET_VALID'
}

/** Refused to sign: the signing certificate has expired (Istio refuses too). */
export class ExpiredSignerError extends CaError {
  readonly code = 'MESHSIM_CA_EXPIRED_SIGNER'
}

/** A CA whose pathLenConstraint is 0 was asked to sign another CA. */
export class PathLenError extends CaError {
  readonly code = 'MESHSIM_CA_PATHLEN_EXCEEDED'
}

/** A root was loaded without its key and then asked to sign. */
export class RootKeyMissingError extends CaError {
  readonly code = 'MESHSIM_CA_ROOT_KEY_MISSING'
}

/** A private key does not belong to the certificate it was given with. */
export class KeyMismatchError extends CaError {
  readonly code = 'MESHSIM_CA_KEY_MISMATCH'
}

/** A file could not be read. */
export class ReadError extends CaError {
  readonly code = 'MESHSIM_CA_READ_FAILED'
}

/** A requested certificate lifetime is not allowed. */
export class BadTtlError extends CaError {
  readonly code = 'MESHSIM_CA_BAD_TTL'
}

/** A name (cluster, SPIFFE id) is not acceptable. */
export class BadNameError extends CaError {
  readonly code = 'MESHSIM_CA_BAD_NAME'
}

/** An output file already exists and overwriting was not asked for. */
export class OutputExistsError extends CaError {
  readonly code = 'MESHSIM_CA_OUTPUT_EXISTS'
}

/** An output file or folder could not be written. */
export class WriteError extends CaError {
  readonly code = 'MESHSIM_CA_WRITE_FAILED'
}

/** A key type this module cannot sign with. */
export class UnsupportedKeyError extends CaError {
  readonly code = 'MESHSIM_CA_UNSUPPORTED_KEY'
}
