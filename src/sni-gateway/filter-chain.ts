// Filter chain match on the AUTO_PASSTHROUGH listener, as Envoy does it for Istio's generated
// chains: the SNI equals a chain's server name and the client offered one of its ALPNs.
// There is no default chain, so anything else matches nothing.

import type { GatewayListener, SniFilterChain } from '../xds/index.ts'

/** A listener's filter chains by server name. */
export type FilterChainTable = ReadonlyMap<string, readonly SniFilterChain[]>

export function indexFilterChains(listener: GatewayListener | undefined): FilterChainTable {
  const table = new Map<string, SniFilterChain[]>()
  for (const chain of listener?.filterChains ?? []) {
    const same = table.get(chain.serverName)
    if (same) same.push(chain)
    else table.set(chain.serverName, [chain])
  }
  return table
}

export function matchFilterChain(
  table: FilterChainTable,
  serverName: string | undefined,
  alpn: readonly string[],
): SniFilterChain | undefined {
  if (serverName === undefined) return undefined
  return table
    .get(serverName)
    ?.find((chain) => alpn.some((p) => chain.applicationProtocols.includes(p)))
}
