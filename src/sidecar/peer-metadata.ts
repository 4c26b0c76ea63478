// Istio's HTTP metadata exchange: the client sidecar sends its workload's metadata on each request
// (x-envoy-peer-metadata, with its node id in x-envoy-peer-metadata-id), the server sidecar reads
// and strips it and answers with its own, which the client reads and strips in turn. Each side's
// header values are made once; a peer's are decoded once and cached by value.

import type { ResponseRewrite, WorkloadMetadata } from '../proxy/index.ts'
import { RESPONSE_REPLACED } from '../proxy/index.ts'
import type { ProxyNode } from '../xds/index.ts'

export const PEER_METADATA_ID = 'x-envoy-peer-metadata-id'
export const PEER_METADATA = 'x-envoy-peer-metadata'

const CANONICAL_NAME = 'service.istio.io/canonical-name'
const CANONICAL_REVISION = 'service.istio.io/canonical-revision'

/** Response headers a sidecar replaces: Envoy's own and metadata exchange's. */
const REPLACED: ReadonlySet<string> = new Set([
  ...RESPONSE_REPLACED,
  PEER_METADATA_ID,
  PEER_METADATA,
])

/** What one sidecar says of itself, and how its responses are rewritten around that. */
export interface MetadataExchange {
  readonly self: WorkloadMetadata
  /** Request headers naming this sidecar: name, value, name, value. */
  readonly headers: readonly string[]
  /** Client side: the server's metadata is taken out of the response for the record. */
  readonly outbound: ResponseRewrite
  /** Server side, to a client that sent its metadata: this sidecar's goes back. */
  readonly inboundExchange: ResponseRewrite
  /** Server side, to a client that sent none. */
  readonly inbound: ResponseRewrite
}

/** The Deployment of a pod named `<deployment>-<replicaset hash>-<suffix>`; else the pod name. */
export function workloadName(pod: string): string {
  return /^(.+)-[a-z0-9]+-[a-z0-9]{5}$/.exec(pod)?.[1] ?? pod
}

/** A sidecar's own metadata, with the canonical labels Istio's injector gives the pod. */
export function ownMetadata(node: ProxyNode, principal: string): WorkloadMetadata {
  const l = node.labels
  const workload = workloadName(node.pod)
  return {
    pod: node.pod,
    namespace: node.namespace,
    workload,
    cluster: node.cluster,
    app: l.app ?? '',
    version: l.version ?? '',
    canonicalService: l[CANONICAL_NAME] ?? l['app.kubernetes.io/name'] ?? l.app ?? workload,
    canonicalRevision:
      l[CANONICAL_REVISION] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest',
    principal,
  }
}

/**
 * The metadata in Istio's node-metadata keys, base64 as on the wire (Istio encodes a protobuf
 * Struct; this is the same keys as JSON).
 */
export function encodeMetadata(m: WorkloadMetadata): string {
  const labels: Record<string, string> = {}
  if (m.app) labels.app = m.app
  if (m.version) labels.version = m.version
  labels[CANONICAL_NAME] = m.canonicalService
  labels[CANONICAL_REVISION] = m.canonicalRevision
  const struct = {
    NAME: m.pod,
    NAMESPACE: m.namespace,
    WORKLOAD_NAME: m.workload,
    CLUSTER_ID: m.cluster,
    LABELS: labels,
  }
  return Buffer.from(JSON.stringify(struct)).toString('base64')
}

export function metadataExchange(node: ProxyNode, principal: string): MetadataExchange {
  const self = ownMetadata(node, principal)
  const headers = [PEER_METADATA_ID, node.id, PEER_METADATA, encodeMetadata(self)]
  return {
    self,
    headers,
    outbound: { server: 'envoy', replace: REPLACED, take: PEER_METADATA },
    inboundExchange: { server: 'istio-envoy', replace: REPLACED, add: headers },
    inbound: { server: 'istio-envoy', replace: REPLACED },
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

function decode(value: string): WorkloadMetadata | undefined {
  try {
    const struct: unknown = JSON.parse(Buffer.from(value, 'base64').toString())
    if (typeof struct !== 'object' || struct === null) return undefined
    const s = struct as Record<string, unknown>
    const labels = (typeof s.LABELS === 'object' && s.LABELS !== null ? s.LABELS : {}) as Record<
      string,
      unknown
    >
    const workload = text(s.WORKLOAD_NAME)
    return Object.freeze({
      pod: text(s.NAME),
      namespace: text(s.NAMESPACE),
      workload,
      cluster: text(s.CLUSTER_ID),
      app: text(labels.app),
      version: text(labels.version),
      canonicalService: text(labels[CANONICAL_NAME]),
      canonicalRevision: text(labels[CANONICAL_REVISION]),
    })
  } catch {
    return undefined
  }
}

/** Decoded peers by header value: a mesh has few workloads, so a small cache catches them all. */
const peers = new Map<string, WorkloadMetadata | undefined>()
const MAX_PEERS = 1024

/** The peer's metadata from its header value (undefined when absent or unreadable). */
export function peerMetadata(value: string | undefined): WorkloadMetadata | undefined {
  if (value === undefined) return undefined
  const hit = peers.get(value)
  if (hit !== undefined || peers.has(value)) return hit
  const m = decode(value)
  if (peers.size >= MAX_PEERS) peers.clear()
  peers.set(value, m)
  return m
}
