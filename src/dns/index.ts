// Per-cluster DNS (kube-dns's stand-in): answers `<svc>.<ns>.svc.cluster.local` from a NameTable
// over UDP and TCP on 127.0.0.1, port 0, and forwards stub domains; istiocoredns serves the
// `.global` names of ServiceEntries for the replicated-control-plane install.

export {
  ANSWER_TTL_SECONDS,
  type Answerer,
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
  type StubDomain,
} from './answer.ts'
export * from './errors.ts'
export { FORWARD_TIMEOUT_MS, forwardQuery } from './forward.ts'
export {
  answerGlobal,
  GLOBAL_TTL_SECONDS,
  GLOBAL_ZONE,
  serviceEntryNames,
} from './istiocoredns.ts'
export {
  type BoundAddress,
  DNS_STATS,
  type DnsServer,
  type DnsServerOptions,
  type DnsStat,
  startDnsServer,
} from './server.ts'
