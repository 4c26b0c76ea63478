// Types for node:_http_common, the module that exposes Node's own llhttp binding (the parser
// behind node:http). Only what meshsim's HTTP/1.1 framing uses.

declare module 'node:_http_common' {
  export class HTTPParser {
    static readonly REQUEST: number
    static readonly RESPONSE: number
    static readonly kOnHeaders: number
    static readonly kOnHeadersComplete: number
    static readonly kOnBody: number
    static readonly kOnMessageComplete: number
    static readonly kLenientNone: number
    initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
    /** Bytes consumed, or an Error with `code` (HPE_*) and `bytesParsed`. */
    execute(
      data: Buffer,
    ): number | (Error & { code?: string; reason?: string; bytesParsed?: number })
    finish(): undefined | (Error & { code?: string; reason?: string })
    close(): void
    [key: number]: unknown
  }
  export const methods: readonly string[]
}
