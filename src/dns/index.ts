// Per-cluster DNS (kube-dns's stand-in): answers `<svc>.<ns>.svc.cluster.local` from a NameTable
// over UDP and TCP on 127.0.0.1, port 0. The `.global` zone is not served yet.

export {
  ANSWER_TTL_SECONDS,
  type ARecord,
  answerQuestion,
  CLUSTER_ZONE,
  type DnsDecision,
  type DnsDrop,
  type DnsQuery,
  type DnsQuestion,
  type DnsReply,
  decide,
  type Rcode,
} from './answer.ts'
export * from './errors.ts'
export {
  type BoundAddress,
  DNS_STATS,
  type DnsServer,
  type DnsServerOptions,
  type DnsStat,
  startDnsServer,
} from './server.ts'
