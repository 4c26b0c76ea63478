// What the cluster DNS answers, decided without sockets: a decoded query and a NameTable in, a
// reply (rcode, authoritative flag, A records), a stub domain to forward to, or a reason to drop
// out. Mirrors CoreDNS's kubernetes plugin for the `cluster.local` zone; other zones are not
// served, unless a stub domain (`global` -> istiocoredns) takes them.

import { isIPv4 } from 'node:net'
import type { NameTable } from '../xds/index.ts'

/** The zone this server is authoritative for (Kubernetes' cluster domain). */
export const CLUSTER_ZONE = 'cluster.local'

/**
 * TTL of every A record, in seconds. CoreDNS's kubernetes plugin defaults to 5, but the Corefile
 * Kubernetes ships sets `ttl 30` (kubernetes/kubernetes#76238, to match kube-dns), so 30 is what
 * a pod sees.
 */
export const ANSWER_TTL_SECONDS = 30

export const TYPE_A = 1
export const TYPE_AAAA = 28
export const TYPE_ANY = 255
export const CLASS_IN = 1
export const CLASS_ANY = 255
export const OPCODE_QUERY = 0

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | 'SERVFAIL'

export interface DnsQuestion {
  /** As it came off the wire: any case, no trailing dot. */
  readonly name: string
  readonly type: number
  readonly class: number
}

/** The parts of a decoded DNS message that decide the answer. */
export interface DnsQuery {
  /** 1 when the message is itself a response. */
  readonly qr: number
  readonly opcode: number
  readonly questions: readonly DnsQuestion[]
  /** How many records the decoder could not read. */
  readonly decodeErrors: number
}

export interface ARecord {
  readonly name: string
  readonly ttl: number
  readonly address: string
}

export interface DnsReply {
  readonly kind: 'reply'
  readonly rcode: Rcode
  /** The AA bit: set for names inside {@link CLUSTER_ZONE}. */
  readonly authoritative: boolean
  readonly answers: readonly ARecord[]
}

export interface DnsDrop {
  readonly kind: 'drop'
  readonly reason: string
}

/** kube-dns `stubDomains` / a CoreDNS server block: names in `zone` are asked of `server`. */
export interface StubDomain {
  /** Lower case, no trailing dot, e.g. `global`. */
  readonly zone: string
  readonly server: { readonly address: string; readonly port: number }
}

export interface DnsForward {
  readonly kind: 'forward'
  readonly stub: StubDomain
}

export type DnsDecision = DnsReply | DnsDrop | DnsForward

/** How a server answers one question from its table (the cluster zone's, or istiocoredns's). */
export type Answerer = (question: DnsQuestion, table: NameTable) => DnsReply

/** Decides what to do with a whole message: drop it as malformed, forward it, or reply. */
export function decide(
  query: DnsQuery,
  table: NameTable,
  answer: Answerer = answerQuestion,
  stubs: readonly StubDomain[] = [],
): DnsDecision {
  if (query.decodeErrors > 0) {
    return { kind: 'drop', reason: `${query.decodeErrors} record(s) could not be decoded` }
  }
  // Answering a response could start a reply loop between two servers.
  if (query.qr === 1) return { kind: 'drop', reason: 'message is a response (QR=1)' }
  const [question] = query.questions
  if (question === undefined || query.questions.length !== 1) {
    return { kind: 'drop', reason: `expected 1 question, got ${query.questions.length}` }
  }
  if (query.opcode !== OPCODE_QUERY) {
    return { kind: 'reply', rcode: 'NOTIMP', authoritative: false, answers: [] }
  }
  const fqdn = question.name.toLowerCase().replace(/\.$/, '')
  const stub = stubs.find((z) => fqdn === z.zone || fqdn.endsWith(`.${z.zone}`))
  if (stub) return { kind: 'forward', stub }
  return answer(question, table)
}

/** Answers one standard query the way CoreDNS's kubernetes plugin would. */
export function answerQuestion(question: DnsQuestion, table: NameTable): DnsReply {
  const fqdn = question.name.toLowerCase().replace(/\.$/, '')
  const authoritative = inZone(fqdn)
  if (question.class !== CLASS_IN && question.class !== CLASS_ANY) {
    return { kind: 'reply', rcode: 'REFUSED', authoritative: false, answers: [] }
  }
  const addresses = authoritative ? table.records.get(fqdn) : undefined
  if (addresses === undefined) {
    const exists = authoritative && zoneNames(table).has(fqdn)
    return { kind: 'reply', rcode: exists ? 'NOERROR' : 'NXDOMAIN', authoritative, answers: [] }
  }
  const wantsA = question.type === TYPE_A || question.type === TYPE_ANY
  const answers = wantsA
    ? addresses
        .filter((address) => isIPv4(address))
        .map((address) => ({ name: question.name, ttl: ANSWER_TTL_SECONDS, address }))
    : []
  return { kind: 'reply', rcode: 'NOERROR', authoritative: true, answers }
}

function inZone(fqdn: string): boolean {
  return fqdn === CLUSTER_ZONE || fqdn.endsWith(`.${CLUSTER_ZONE}`)
}

const namesByTable = new WeakMap<NameTable['records'], ReadonlySet<string>>()

/**
 * Every name in the zone that exists: the table's names plus their ancestors down to the apex.
 * An ancestor such as `sample.svc.cluster.local` has no records but exists, so it gets NOERROR
 * rather than NXDOMAIN (RFC 8020 resolvers would otherwise prune the whole subtree).
 */
function zoneNames(table: NameTable): ReadonlySet<string> {
  const cached = namesByTable.get(table.records)
  if (cached !== undefined) return cached
  const names = new Set<string>([CLUSTER_ZONE])
  for (const fqdn of table.records.keys()) {
    if (!inZone(fqdn)) continue
    for (let name = fqdn; name !== CLUSTER_ZONE; name = name.slice(name.indexOf('.') + 1)) {
      names.add(name)
    }
  }
  namesByTable.set(table.records, names)
  return names
}
