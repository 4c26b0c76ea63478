// Message heads as a proxy rewrites them: hop-by-hop headers never cross it (RFC 9110 §7.6.1,
// including those the Connection header names), each body's framing comes from its headers
// (RFC 9112 §6.3), and heads are written back as wire text.

import type { MessageHead } from './parser.ts'

export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  /** Chunked, after any other transfer codings (`gzip, chunked`), which the body keeps. */
  | { readonly kind: 'chunked'; readonly codings?: string }
  /** Until the sender closes (a response without length or chunking). */
  | { readonly kind: 'close' }

const NONE: Framing = { kind: 'none' }
const CHUNKED: Framing = { kind: 'chunked' }
const CLOSE: Framing = { kind: 'close' }

/**
 * Hop-by-hop headers (and content-length, since the proxy rewrites framing for the next hop).
 * Compared by length first: cheaper than hashing every header name of every message.
 */
function isHopByHop(lower: string): boolean {
  switch (lower.length) {
    case 2:
      return lower === 'te'
    case 7:
      return lower === 'trailer' || lower === 'upgrade'
    case 10:
      return lower === 'connection' || lower === 'keep-alive'
    case 14:
      return lower === 'content-length'
    case 16:
      return lower === 'proxy-connection'
    case 17:
      return lower === 'transfer-encoding'
    case 18:
      return lower === 'proxy-authenticate'
    case 19:
      return lower === 'proxy-authorization'
    default:
      return false
  }
}

/** Lower-case header names (toLowerCase returns an all-lower-case string itself, unallocated). */
const lowerName = (name: string): string => name.toLowerCase()

/** The first value of a header (names compare case-insensitively). */
export function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).length === name.length && headers[i]?.toLowerCase() === name)
      return headers[i + 1]
  }
  return undefined
}

function framingFromHeaders(headers: readonly string[]): Framing | undefined {
  const te = headerValue(headers, 'transfer-encoding')
  if (te !== undefined && /(?:^|,)\s*chunked\s*$/i.test(te)) {
    // The proxy undoes and redoes only the chunking; other codings stay on the body.
    const codings = te.replace(/,?\s*chunked\s*$/i, '').trim()
    return codings === '' ? CHUNKED : { kind: 'chunked', codings }
  }
  const cl = headerValue(headers, 'content-length')
  if (cl !== undefined) return { kind: 'length', length: Number(cl) }
  return undefined
}

/** The framing a message's headers announce (requests: none without either header). */
export function declaredFraming(head: MessageHead): Framing {
  return framingFromHeaders(head.headers) ?? NONE
}

export function responseFraming(head: MessageHead, requestMethod: string): Framing {
  const s = head.status
  if (requestMethod === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) return NONE
  return framingFromHeaders(head.headers) ?? CLOSE
}

/** Names the Connection header marks as hop-by-hop for this message. */
function connectionTokens(headers: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined
  for (let i = 0; i < headers.length; i += 2) {
    if (lowerName(headers[i] as string) !== 'connection') continue
    for (const t of (headers[i + 1] ?? '').split(',')) {
      const name = t.trim().toLowerCase()
      if (name !== '' && name !== 'close' && name !== 'keep-alive') {
        tokens ??= new Set()
        tokens.add(name)
      }
    }
  }
  return tokens
}

export interface HeadRewrite {
  /** Lower-case names to remove because `add` replaces them. */
  readonly replace?: ReadonlySet<string>
  /** Headers to append: name, value, name, value, ... */
  readonly add?: readonly string[]
  readonly framing: Framing
  /** Ask the next hop to close the connection after this message. */
  readonly close?: boolean
}

/** Wire text of a head: first line, the forwardable headers, `add`, framing, blank line. */
export function writeHead(firstLine: string, headers: readonly string[], r: HeadRewrite): string {
  const extraHop = connectionTokens(headers)
  let out = `${firstLine}\r\n`
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string
    const lower = lowerName(name)
    if (isHopByHop(lower) || r.replace?.has(lower) || extraHop?.has(lower)) continue
    out += `${name}: ${headers[i + 1]}\r\n`
  }
  const add = r.add ?? []
  for (let i = 0; i < add.length; i += 2) out += `${add[i]}: ${add[i + 1]}\r\n`
  if (r.framing.kind === 'length') out += `content-length: ${r.framing.length}\r\n`
  else if (r.framing.kind === 'chunked') {
    const codings = r.framing.codings
    out += codings ? `transfer-encoding: ${codings}, chunked\r\n` : 'transfer-encoding: chunked\r\n'
  }
  if (r.close) out += 'connection: close\r\n'
  return `${out}\r\n`
}
