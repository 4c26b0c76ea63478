// The TUI's `:` command line, k9s-style: views by name or alias (`:pods @cluster2`), quitting,
// and `:load` (on, off, a rate, `from POD[@CLUSTER]`, `to SERVICE-or-URL`); and the `?` help.

export type Screen = 'map' | 'requests' | 'hops' | 'help' | 'pods' | 'endpoints' | 'svc' | 'trust'

export type Command =
  | { readonly kind: 'quit' }
  /** A view; `scope` narrows :pods and :svc to one cluster. */
  | { readonly kind: 'go'; readonly screen: Screen; readonly scope?: string }
  | {
      readonly kind: 'load'
      /** false: stop; true or absent: run. */
      readonly on: boolean
      readonly rps?: number
      readonly from?: string
      readonly to?: string
    }
  | { readonly kind: 'unknown'; readonly text: string }

const ALIASES: Readonly<Record<string, Screen>> = {
  map: 'map',
  m: 'map',
  requests: 'requests',
  req: 'requests',
  r: 'requests',
  logs: 'requests',
  pods: 'pods',
  pod: 'pods',
  po: 'pods',
  svc: 'svc',
  services: 'svc',
  service: 'svc',
  trust: 'trust',
  certs: 'trust',
  help: 'help',
}

function parseLoad(args: readonly string[]): Command {
  let on = true
  let rps: number | undefined
  let from: string | undefined
  let to: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? ''
    if (a === 'off' || a === 'stop') on = false
    else if (a === 'on' || a === 'start') on = true
    else if (/^\d+$/.test(a)) rps = Number(a)
    else if ((a === 'from' || a === 'to') && args[i + 1] !== undefined) {
      if (a === 'from') from = args[++i]
      else to = args[++i]
    } else return { kind: 'unknown', text: `load ${args.join(' ')}` }
  }
  return {
    kind: 'load',
    on,
    ...(rps !== undefined ? { rps } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  }
}

export function parseCommand(text: string): Command {
  const [name = '', ...args] = text.trim().split(/\s+/)
  if (name === 'q' || name === 'quit' || name === 'q!') return { kind: 'quit' }
  if (name === 'load') return parseLoad(args)
  const screen = ALIASES[name]
  if (screen === undefined) return { kind: 'unknown', text: name }
  const scope = args[0]?.replace(/^@/, '')
  return {
    kind: 'go',
    screen,
    ...(scope && (screen === 'pods' || screen === 'svc') ? { scope } : {}),
  }
}

export const HELP = [
  ':map  :req  :pods [@CLUSTER] (:po)  :svc [@CLUSTER]  :trust  :help  :q',
  '/re  /!re  /-f fuzzy    filter requests (! negates), pods, services',
  '↑ ↓  j k  enter (e)     select; enter opens hops (j k scroll them) or endpoints',
  'p                       pause / resume the request list',
  'l                       load on/off; on a :pods row, load from that pod',
  ':load from POD[@CLUSTER] to SERVICE[.NS][:PORT][/PATH] or URL   e.g.',
  '   :load from sleep@cluster2 to helloworld     :load 50   :load off',
  '+ -                     load rate up / down (1 to 1000 rps)',
  'esc                     back (endpoints → pods → map); q or Ctrl-C quits',
  '',
  'map: SPLIT is each version’s share of its source→service requests;',
  'TLS mTLS = every request mutual TLS (part = some, none = plaintext);',
  'GW gw = the edge crosses an east-west gateway; ✓ synced / ! stale.',
  'boxes: !N = N proxies not synced; +N = N more not shown (services,',
  'clusters, networks, edges). Filters are case-insensitive regexes.',
  'endpoints: local pod IPs first, then other networks’ gateways :15443',
  'with WEIGHT = the endpoints behind them (split horizon). READY 2/2 =',
  'app + sidecar. trust: one root, an intermediate per cluster, leaves.',
]
