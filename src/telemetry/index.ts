// Telemetry: Istio's standard Prometheus metrics (istio_requests_total and the rest, reported by
// source and destination as Istio does) computed from access records, and the gateways' Envoy
// counters, written out as Prometheus text.

export { HTTP_LABELS, type HttpLabel, httpLabels, type TcpLabel, tcpLabels } from './labels.ts'
export type { ProxyStats, ProxyStatsSource } from './proxy-stats.ts'
export { ENVOY_BUCKETS } from './series.ts'
export { MeshTelemetry } from './telemetry.ts'
