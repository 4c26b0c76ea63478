// The sidecar role: assembles proxy parts into Istio's sidecar. Outbound through a capture port
// (HTTP proxy and SOCKS5 standing in for iptables), inbound STRICT mTLS to the app.

export type { PodResolver } from './capture.ts'
export { Sidecar, type SidecarOptions } from './sidecar.ts'
