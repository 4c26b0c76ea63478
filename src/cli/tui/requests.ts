// The Requests view's data: a bounded log of recent access records, its k9s-style filter
// (`/regex`, `/!regex` negates, `/-f fuzzy`), and the hop-by-hop record of one request: every proxy's record
// sharing its x-request-id, with the east-west gateway's connection record when it has one.

import type { AccessRecord } from '../../runtime/index.ts'

export class RequestLog {
  readonly #capacity: number
  #records: AccessRecord[] = []

  constructor(capacity = 2000) {
    this.#capacity = capacity
  }

  add(r: AccessRecord): void {
    this.#records.push(r)
    // Trim in chunks so a busy mesh does not shift the array on every record.
    if (this.#records.length > this.#capacity * 1.25) {
      this.#records = this.#records.slice(-this.#capacity)
    }
  }

  /** The latest records, oldest first, at most `capacity`. */
  all(): readonly AccessRecord[] {
    return this.#records.length > this.#capacity
      ? this.#records.slice(-this.#capacity)
      : this.#records.slice()
  }
}

/** How a filter's text is matched: k9s's `/regex`, its `/-f fuzzy`, or plain text. */
export type FilterMode = 'regex' | 'fuzzy' | 'text'

export interface Filter {
  /** The text after `!` and `-f`, as typed. */
  readonly text: string
  readonly negate: boolean
  readonly mode: FilterMode
  /** Why a regex filter fell back to plain text (the text was not a valid regex). */
  readonly error?: string
  readonly test: (haystack: string) => boolean
}

/** Every character of `needle` in order within one word of `hay` (k9s's `-f`); both lower case. */
function fuzzy(needle: string, hay: string): boolean {
  return hay.split(/\s+/).some((word) => {
    let at = 0
    for (const ch of needle) {
      at = word.indexOf(ch, at) + 1
      if (at === 0) return false
    }
    return true
  })
}

/**
 * k9s's filter grammar: `text` is a case-insensitive regex (plain text when it is not a valid
 * one), `!text` keeps the records that do not match, `-f text` matches fuzzily (its characters
 * in order within one word); '' keeps everything. Never throws.
 */
export function parseFilter(input: string): Filter {
  let text = input.trim()
  const negate = text.startsWith('!')
  if (negate) text = text.slice(1).trimStart()
  const lower = (s: string) => s.toLowerCase()
  if (/^-f(\s|$)/.test(text)) {
    const needle = lower(text.slice(2).trim())
    return { text: needle, negate, mode: 'fuzzy', test: (hay) => fuzzy(needle, lower(hay)) }
  }
  try {
    const re = new RegExp(text, 'i')
    return { text, negate, mode: 'regex', test: (hay) => re.test(hay) }
  } catch (e) {
    const needle = lower(text)
    return {
      text,
      negate,
      mode: 'text',
      error: (e as Error).message,
      test: (hay) => lower(hay).includes(needle),
    }
  }
}

/** One line of the request list: when, who logged it, what, and how it ended. */
export function requestLine(r: AccessRecord): string {
  const time = r.startTime.toISOString().slice(11, 23)
  const what = r.method === undefined ? 'TCP' : `${r.method} ${r.authority ?? ''}${r.path ?? ''}`
  const flags = r.responseFlags.length > 0 ? r.responseFlags.join(',') : '-'
  const ms = `${Math.round(r.durationMs)}ms`.padStart(6)
  return `${time} ${r.direction.padEnd(8)} ${String(r.responseCode).padStart(3)} ${flags.padEnd(4)} ${ms}  ${r.cluster}/${r.proxy}  ${what}`
}

const haystacks = new WeakMap<AccessRecord, string>()

/**
 * What a filter searches: the rendered line, then the fields a line leaves out (request id,
 * response flags and details, upstream cluster and host, SNI, peer identity, the workloads).
 */
export function filterText(r: AccessRecord): string {
  let hay = haystacks.get(r)
  if (hay === undefined) {
    const w = (x: AccessRecord['workload']) => (x ? `${x.app} ${x.version} ${x.cluster}` : '')
    hay = [
      requestLine(r),
      r.requestId,
      r.responseFlags.join(','),
      r.responseCodeDetails,
      r.upstreamCluster,
      r.upstreamHost,
      r.requestedServerName,
      r.peerIdentity,
      r.routeName,
      w(r.workload),
      w(r.peerWorkload),
    ]
      .filter((x) => x !== undefined && x !== '')
      .join('  ')
    haystacks.set(r, hay)
  }
  return hay
}

export function matches(r: AccessRecord, f: Filter): boolean {
  if (f.text === '') return true
  return f.test(filterText(r)) !== f.negate
}

export interface Hop {
  readonly role: 'client sidecar' | 'gateway' | 'server sidecar'
  readonly record: AccessRecord
}

const ROLE: Record<AccessRecord['direction'], Hop['role']> = {
  outbound: 'client sidecar',
  gateway: 'gateway',
  inbound: 'server sidecar',
}

/**
 * The hops of the request `r` belongs to, in path order. A gateway passes TLS through, so it
 * logs connections, not requests: its record joins when its connection is the client's
 * upstream connection (and appears only once that connection closes).
 */
export function hopsOf(r: AccessRecord, records: readonly AccessRecord[]): Hop[] {
  const id = r.requestId
  const same = id === undefined ? [r] : records.filter((x) => x.requestId === id)
  const client = same.filter((x) => x.direction === 'outbound')
  const local = new Set(
    client.flatMap((x) => (x.upstreamLocalAddress ? [x.upstreamLocalAddress] : [])),
  )
  const gateways = records.filter(
    (x) => x.direction === 'gateway' && local.has(x.downstreamRemoteAddress),
  )
  const order = { outbound: 0, gateway: 1, inbound: 2 }
  return [...same, ...gateways.filter((g) => !same.includes(g))]
    .sort((a, b) => order[a.direction] - order[b.direction])
    .map((record) => ({ role: ROLE[record.direction], record }))
}

/** The fields of one hop worth reading, as label/value pairs (bytes only for a connection). */
export function hopFields(r: AccessRecord): [string, string][] {
  const f: [string, string | undefined][] = [
    ['proxy', `${r.cluster}/${r.namespace}/${r.proxy}`],
    ['route', r.routeName],
    ['cluster', r.upstreamCluster],
    ['endpoint', r.upstreamHost],
    // The SNI the proxy was asked for (server, gateway), else the one it sent (client).
    ['SNI', r.requestedServerName ?? r.upstreamSni],
    ['ALPN', r.alpn],
    ['peer', r.peerIdentity],
    [
      'code',
      `${r.responseCode} ${r.responseFlags.join(',') || '-'} ${r.responseCodeDetails ?? ''}`,
    ],
    [
      'bytes',
      r.method === undefined ? `${r.bytesReceived} received, ${r.bytesSent} sent` : undefined,
    ],
    [
      'timing',
      `${r.durationMs.toFixed(1)} ms total${r.upstreamServiceTimeMs === undefined ? '' : `, ${r.upstreamServiceTimeMs.toFixed(1)} ms upstream`}`,
    ],
  ]
  return f.flatMap(([k, v]) => (v === undefined || v.trim() === '' ? [] : [[k, v.trim()]]))
}
