// Errors of the cluster DNS server. Each class carries a stable `code`; tests assert on `code`.

export abstract class DnsError extends Error {
  abstract readonly code: string

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
  }
}

/** The UDP or TCP socket of the DNS server could not bind. */
export class DnsListenError extends DnsError {
  readonly code = 'MESHSIM_DNS_LISTEN_FAILED'
}
