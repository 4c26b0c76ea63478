// The interfaces a proxy sees its control plane and its certificates through (meshsim's stand-in
// for ADS and SDS). Everything arrives in-process; nothing here knows who implements it.

import type { SpiffeId } from '../model/index.ts'
import type { ProxyConfig, ProxyNode } from './proxy-config.ts'

export interface ConfigWatch {
  /** Tells the control plane this version was applied (an ADS ACK). */
  ack(version: number): void
  close(): void
}

export interface ConfigSource {
  /** Delivers the current config now (if any) and every later push. */
  watch(node: ProxyNode, onConfig: (config: ProxyConfig) => void): ConfigWatch
}

/** SDS's `default` (certificate chain and key) and `ROOTCA` (trust bundle) resources. */
export interface WorkloadSecret {
  readonly spiffeId: SpiffeId
  /** Leaf followed by the intermediate(s), PEM. */
  readonly certChainPem: string
  readonly privateKeyPem: string
  /** The mesh root, PEM. */
  readonly rootCertPem: string
  readonly notAfter: Date
}
