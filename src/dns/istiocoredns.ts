// istiocoredns (Istio 1.1–1.8, istio-semantics §5.3): CoreDNS with Istio's plugin, serving the
// hosts of every ServiceEntry in its cluster with the entry's addresses. The cluster DNS stubs
// the `global` zone to it. Pure: entries in, a NameTable out; a question and a table in, a reply.

import type { ServiceEntry } from '../model/index.ts'
import type { NameTable } from '../xds/index.ts'
import { type DnsQuestion, type DnsReply, TYPE_A } from './answer.ts'

/** The zone the `.global` install stubs to istiocoredns. */
export const GLOBAL_ZONE = 'global'

/** TTL of istiocoredns's A records, in seconds. */
export const GLOBAL_TTL_SECONDS = 3600

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/**
 * The plugin's host map: every host of every entry (resolution NONE and entries without hosts
 * left out) to the entry's single IPs or /32s; an entry without any gets `127.255.<i/256>.<i%256>`
 * (i = its place in the list). Wildcard hosts stay `*.example.com`; the first entry wins a host.
 */
export function serviceEntryNames(entries: readonly ServiceEntry[]): NameTable {
  const records = new Map<string, readonly string[]>()
  entries.forEach((se, i) => {
    if ((se.spec.resolution ?? 'NONE') === 'NONE') return
    const ips = (se.spec.addresses ?? [])
      .map((a) => a.replace(/\/32$/, ''))
      .filter((a) => IPV4.test(a))
    const addresses = ips.length > 0 ? ips : [`127.255.${Math.floor(i / 256) % 256}.${i % 256}`]
    for (const h of se.spec.hosts) {
      const host = h.toLowerCase().replace(/\.$/, '')
      if (!records.has(host)) records.set(host, addresses)
    }
  })
  return { records }
}

/** The addresses for a name: its own, else the nearest wildcard that has more labels than two. */
function lookup(table: NameTable, fqdn: string): readonly string[] | undefined {
  const exact = table.records.get(fqdn)
  if (exact) return exact
  for (let dot = fqdn.indexOf('.'); dot >= 0; dot = fqdn.indexOf('.', dot + 1)) {
    const rest = fqdn.slice(dot + 1)
    // A wildcard covers deeper names only, and never a bare two-label name.
    if (!rest.includes('.')) break
    const wild = table.records.get(`*.${rest}`)
    if (wild) return wild
  }
  return undefined
}

/** Only A queries are answered (TTL 3600); every other type and every unknown name is NXDOMAIN. */
export function answerGlobal(question: DnsQuestion, table: NameTable): DnsReply {
  const fqdn = question.name.toLowerCase().replace(/\.$/, '')
  const addresses = question.type === TYPE_A ? (lookup(table, fqdn) ?? []) : []
  const answers = addresses.map((address) => ({
    name: question.name,
    ttl: GLOBAL_TTL_SECONDS,
    address,
  }))
  return {
    kind: 'reply',
    rcode: answers.length > 0 ? 'NOERROR' : 'NXDOMAIN',
    authoritative: true,
    answers,
  }
}
