// Filter chain match on a TLS-passthrough listener, as Envoy does it: the exact server name
// first, then the longest wildcard suffix (`*.local`), then `*`; among chains for that name, the
// first whose ALPN list the client offered from (an empty list accepts any). There is no default
// chain, so anything else matches nothing.

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

const offered = (chains: readonly SniFilterChain[] | undefined, alpn: readonly string[]) =>
  chains?.find(
    (c) =>
      c.applicationProtocols.length === 0 || alpn.some((p) => c.applicationProtocols.includes(p)),
  )

export function matchFilterChain(
  table: FilterChainTable,
  serverName: string | undefined,
  alpn: readonly string[],
): SniFilterChain | undefined {
  if (serverName !== undefined) {
    const exact = offered(table.get(serverName), alpn)
    if (exact) return exact
    for (let dot = serverName.indexOf('.'); dot >= 0; dot = serverName.indexOf('.', dot + 1)) {
      const wild = offered(table.get(`*${serverName.slice(dot)}`), alpn)
      if (wild) return wild
    }
  }
  return offered(table.get('*'), alpn)
}
