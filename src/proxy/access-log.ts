// One record per request (HTTP) or connection (TCP) at each proxy, and Istio's default TEXT
// access-log format for it (istio-semantics §7.5). Records are the single stream the CLI, logs
// and metrics read; the text line is only one rendering of them.

import type { ClusterId } from '../model/index.ts'

/**
 * A workload as Istio's node metadata describes it: what a proxy knows of itself, and what
 * metadata exchange tells the proxy at the other end of a request.
 */
export interface WorkloadMetadata {
  /** NAME: the pod. */
  readonly pod: string
  readonly namespace: string
  /** WORKLOAD_NAME: the Deployment (the pod name without its two generated suffixes). */
  readonly workload: string
  /** CLUSTER_ID */
  readonly cluster: string
  /** The `app` and `version` labels ('' when the pod has none). */
  readonly app: string
  readonly version: string
  /** service.istio.io/canonical-name and canonical-revision, as the injector labels the pod. */
  readonly canonicalService: string
  readonly canonicalRevision: string
  /** The proxy's own SPIFFE id; never taken from a peer's metadata (its certificate says). */
  readonly principal?: string
}

export interface AccessRecord {
  /** Pod name of the proxy that logged this. */
  readonly proxy: string
  readonly namespace: string
  readonly cluster: ClusterId
  /** outbound at a client sidecar, inbound at a server sidecar, gateway at an east-west gateway. */
  readonly direction: 'outbound' | 'inbound' | 'gateway'
  readonly startTime: Date
  /** Absent for TCP. */
  readonly method?: string
  readonly path?: string
  readonly protocol?: string
  /** 0 for TCP. */
  readonly responseCode: number
  /** Envoy short flags in Envoy's order, e.g. ['UF', 'URX']. */
  readonly responseFlags: readonly string[]
  readonly responseCodeDetails?: string
  readonly connectionTerminationDetails?: string
  readonly upstreamTransportFailureReason?: string
  readonly bytesReceived: number
  readonly bytesSent: number
  readonly durationMs: number
  readonly upstreamServiceTimeMs?: number
  readonly xForwardedFor?: string
  readonly userAgent?: string
  readonly requestId?: string
  readonly authority?: string
  readonly upstreamHost?: string
  readonly upstreamCluster?: string
  readonly upstreamLocalAddress?: string
  readonly downstreamLocalAddress: string
  readonly downstreamRemoteAddress: string
  readonly requestedServerName?: string
  readonly routeName?: string
  /** The ALPN protocol the mTLS connection negotiated (not part of the text line). */
  readonly alpn?: string
  /** Client sidecar: the SNI it sent, `outbound_.port_.subset_.host` (not part of the text line). */
  readonly upstreamSni?: string
  /** The mTLS peer's SPIFFE id, when known (not part of the text line). */
  readonly peerIdentity?: string
  /** The logging proxy's own workload (sidecars; one shared object per proxy). */
  readonly workload?: WorkloadMetadata
  /** The workload at the other end, when metadata exchange told it (HTTP through sidecars). */
  readonly peerWorkload?: WorkloadMetadata
}

export type AccessSink = (record: AccessRecord) => void

const dash = (v: string | number | undefined): string =>
  v === undefined || v === '' ? '-' : String(v)
const quoted = (v: string | undefined): string => `"${dash(v)}"`

/** Envoy's flag order (source/common/stream_info/utility.h), for joining flags as Envoy does. */
const FLAG_ORDER = [
  'UH',
  'UT',
  'LR',
  'UR',
  'UF',
  'UC',
  'UO',
  'NR',
  'DI',
  'FI',
  'RL',
  'UAEX',
  'RLSE',
  'DC',
  'URX',
  'SI',
  'IH',
  'DPE',
  'UMSDR',
  'RFCF',
  'NFCF',
  'DT',
  'UPE',
  'NC',
  'OM',
]

export function joinFlags(flags: readonly string[]): string {
  if (flags.length === 0) return '-'
  return [...flags].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)).join(',')
}

/** Istio's default TEXT format, one line without the trailing newline. */
export function formatAccessLog(r: AccessRecord): string {
  const request =
    r.method === undefined ? '"- - -"' : `"${r.method} ${dash(r.path)} ${dash(r.protocol)}"`
  return [
    `[${r.startTime.toISOString()}]`,
    request,
    r.responseCode,
    joinFlags(r.responseFlags),
    dash(r.responseCodeDetails),
    dash(r.connectionTerminationDetails),
    quoted(r.upstreamTransportFailureReason),
    r.bytesReceived,
    r.bytesSent,
    Math.round(r.durationMs),
    r.upstreamServiceTimeMs === undefined ? '-' : Math.round(r.upstreamServiceTimeMs),
    quoted(r.xForwardedFor),
    quoted(r.userAgent),
    quoted(r.requestId),
    quoted(r.authority),
    quoted(r.upstreamHost),
    dash(r.upstreamCluster),
    dash(r.upstreamLocalAddress),
    r.downstreamLocalAddress,
    r.downstreamRemoteAddress,
    dash(r.requestedServerName),
    dash(r.routeName),
  ].join(' ')
}
