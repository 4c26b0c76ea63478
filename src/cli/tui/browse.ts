// The :pods, :svc, proxy endpoints and :trust screens as one hook: their selection and scroll,
// the proxy opened from a pod or service row, the fetches the endpoints and trust screens
// refresh while shown, their keys, and the ListView that draws them.

import type { Key } from 'ink'
import { createElement as h, type ReactElement, useEffect, useRef, useState } from 'react'
import type { Screen } from './commands.ts'
import { ListView, maxOffset } from './list-view.ts'
import type { PodRow, ProxyEndpoints } from './pods.ts'
import { endpointsScreen, type Page, podsScreen, servicesScreen } from './pods-view.ts'
import { parseFilter } from './requests.ts'
import type { TuiSource } from './source.ts'
import type { TrustView } from './trust.ts'
import { trustScreen } from './trust-view.ts'

export const BROWSE_SCREENS: readonly Screen[] = ['pods', 'svc', 'endpoints', 'trust']

interface Opened {
  readonly cluster: string
  readonly namespace: string
  readonly pod: string
  /** Opened from :svc: only this service's clusters. */
  readonly host?: string
  readonly from: 'pods' | 'svc'
}

export interface BrowseOptions {
  readonly source: TuiSource
  readonly screen: Screen
  readonly filter: string
  readonly go: (screen: Screen) => void
  readonly say: (message: string) => void
  /** `l` on a pod row: load from that pod (`cluster/namespace/pod`). */
  readonly loadFrom: (pod: string) => void
  readonly refreshMs: number
}

/** Rows whose text matches the filter, in the request list's grammar (regex, `!`, `-f`). */
function filtered<T>(rows: readonly T[], filter: string, text: (r: T) => string): T[] {
  const f = parseFilter(filter)
  if (f.text === '') return [...rows]
  return rows.filter((r) => f.test(text(r)) !== f.negate)
}

export function useBrowse(o: BrowseOptions) {
  const { source, screen } = o
  const [scope, setScope] = useState('')
  const [podAt, setPodAt] = useState(0)
  const [svcAt, setSvcAt] = useState(0)
  const [offset, setOffset] = useState(0)
  const [opened, setOpened] = useState<Opened | undefined>(undefined)
  const [endpoints, setEndpoints] = useState<ProxyEndpoints | 'none' | undefined>(undefined)
  const [trust, setTrust] = useState<TrustView | undefined>(undefined)
  // How far the shown page scrolls, so scrolling stops at its end.
  const lastOffset = useRef(0)

  // The endpoints (ejected hosts change) and certificates (they rotate) are re-read while shown.
  useEffect(() => {
    if (screen !== 'endpoints' && screen !== 'trust') return
    let live = true
    const read = () => {
      if (screen === 'trust') void source.trust?.(new Date()).then((t) => live && setTrust(t))
      else if (opened) {
        void source
          .endpoints?.(opened.cluster, opened.namespace, opened.pod)
          .then((e) => live && setEndpoints(e ?? 'none'))
      }
    }
    read()
    const timer = setInterval(read, Math.max(o.refreshMs, 1000))
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [screen, opened, source, o.refreshMs])

  const inScope = <T extends { cluster: string }>(rows: readonly T[]) =>
    rows.filter((r) => scope === '' || r.cluster === scope)
  // Read from the mesh only while a list is shown (every frame re-renders the app).
  const listed = screen === 'pods' || screen === 'svc'
  const all = listed ? (source.pods?.() ?? []) : []
  const pods = filtered(inScope(all), o.filter, (p) => Object.values(p).join(' '))
  const services = filtered(
    inScope(screen === 'svc' ? (source.services?.() ?? []) : []),
    o.filter,
    (s) => Object.values(s).join(' '),
  )
  const podIndex = Math.min(podAt, Math.max(0, pods.length - 1))
  const svcIndex = Math.min(svcAt, Math.max(0, services.length - 1))

  const open = (next: Opened) => {
    setOpened(next)
    setEndpoints(undefined)
    setOffset(0)
    o.go('endpoints')
  }
  const openPod = (p: PodRow | undefined) => {
    if (!p) return
    if (p.proxy === 'none') o.say(`${p.name} has no proxy`)
    else open({ cluster: p.cluster, namespace: p.namespace, pod: p.name, from: 'pods' })
  }

  /** Keys of these screens; false when the key is not theirs. */
  const onKey = (ch: string, key: Partial<Key>): boolean => {
    const up = key.upArrow || ch === 'k'
    const down = key.downArrow || ch === 'j'
    const enter = key.return || ch === 'e'
    if (screen === 'pods') {
      if (up || down) setPodAt(Math.max(0, Math.min(pods.length - 1, podIndex + (up ? -1 : 1))))
      else if (enter) openPod(pods[podIndex])
      else if (ch === 'l' && pods[podIndex]) {
        const p = pods[podIndex]
        if (p.proxy === 'sidecar') o.loadFrom(`${p.cluster}/${p.namespace}/${p.name}`)
        else o.say(`${p.name} has no sidecar to send load from`)
      } else return false
    } else if (screen === 'svc') {
      if (up || down) setSvcAt(Math.max(0, Math.min(services.length - 1, svcIndex + (up ? -1 : 1))))
      else if (enter && services[svcIndex]) {
        const s = services[svcIndex]
        const client = all.find((p) => p.cluster === s.cluster && p.proxy === 'sidecar')
        if (!client) o.say(`no sidecar pod in ${s.cluster} to see ${s.name} from`)
        else {
          open({
            cluster: client.cluster,
            namespace: client.namespace,
            pod: client.name,
            host: s.host,
            from: 'svc',
          })
          o.say(`${s.name}.${s.namespace} as ${client.cluster}'s first sidecar pod sees it`)
        }
      } else return false
    } else if (screen === 'endpoints' || screen === 'trust') {
      const last = lastOffset.current
      if (up || down) setOffset((n) => Math.max(0, Math.min(last, n + (up ? -1 : 1))))
      else return false
    } else return false
    return true
  }

  /** Where esc leads from these screens. */
  const back = (): Screen => (screen === 'endpoints' ? (opened?.from ?? 'pods') : 'map')

  const view = (columns: number, rows: number, color: boolean): ReactElement => {
    let page: Page
    let selected: number | undefined
    if (screen === 'pods') {
      page = podsScreen(pods, all.length, scope, columns)
      selected = podIndex
    } else if (screen === 'svc') {
      page = servicesScreen(services, scope, columns)
      selected = svcIndex
    } else if (screen === 'endpoints') {
      page =
        endpoints === undefined || endpoints === 'none'
          ? {
              head: [{ text: endpoints ? `${opened?.pod} has no proxy` : 'reading endpoints…' }],
              body: [],
            }
          : endpointsScreen(endpoints, columns, opened?.host)
    } else {
      page = trust
        ? trustScreen(trust, columns)
        : { head: [{ text: 'reading certificates…' }], body: [] }
    }
    lastOffset.current = maxOffset(page.body.length, rows, page.head.length)
    const start = Math.min(offset, lastOffset.current)
    return h(ListView, {
      ...page,
      ...(selected !== undefined ? { selected } : { offset: start }),
      columns,
      rows,
      color,
    })
  }

  /** `:pods CLUSTER` narrows the lists; `:pods` alone widens them again. */
  const setScopeTo = (cluster: string | undefined) => {
    setScope(cluster ?? '')
    setPodAt(0)
    setSvcAt(0)
  }

  return { onKey, back, view, setScope: setScopeTo }
}
