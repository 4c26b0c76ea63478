// The legacy AUTO_PASSTHROUGH network filters (Istio ≤1.9, istio-semantics §2.5):
// `envoy.filters.network.sni_cluster` names the upstream cluster after the connection's SNI, and
// `envoy.filters.network.tcp_cluster_rewrite` after it replaces every match of its pattern, e.g.
// `outbound_.8000_._.httpbin.bar.global` -> `outbound_.8000_._.httpbin.bar.svc.cluster.local`.

import type { SniFilterChain } from '../xds/index.ts'

/** Maps a connection's SNI to the cluster a chain sends it to. */
export type SniClusterName = (serverName: string) => string

/**
 * Built once per config. A pattern that is not a valid regex rewrites nothing (Envoy would refuse
 * the config); the cluster it leaves is then looked up as it is.
 */
export function sniClusterOf(
  sniCluster: NonNullable<SniFilterChain['sniCluster']>,
): SniClusterName {
  const rewrite = sniCluster.rewrite
  if (rewrite === undefined) return (sni) => sni
  let pattern: RegExp
  try {
    pattern = new RegExp(rewrite.pattern, 'g')
  } catch {
    return (sni) => sni
  }
  // std::regex_replace's default format is ECMAScript's, as String.prototype.replace's.
  return (sni) => sni.replace(pattern, rewrite.replacement)
}
