// The one EnvoyFilter meshsim applies: the `.global` install's tcp_cluster_rewrite, inserted after
// sni_cluster on the ingress gateway's 15443 listener (istio-semantics §2.5). The install creates
// it; EnvoyFilter is not read from YAML, so this is not an IstioResource.

import type { ObjectMeta } from './istio.ts'

export interface ClusterRewriteFilter {
  readonly kind: 'EnvoyFilter'
  readonly metadata: ObjectMeta
  /** Labels of the gateway workloads it patches. */
  readonly workloadSelector: Readonly<Record<string, string>>
  /** The gateway listener port (`match.listener.portNumber`). */
  readonly portNumber: number
  /** `cluster_pattern`: a regex over the cluster name sni_cluster chose. */
  readonly clusterPattern: string
  /** `cluster_replacement` for every match. */
  readonly clusterReplacement: string
}
