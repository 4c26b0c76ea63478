// The TUI's root: a k9s-like router over the views (map, requests, hops, pods, services, a
// proxy's endpoints, trust, help), the `:` command line, the `/` filter, and the load generator.
// Records are aggregated as they arrive but the screen re-renders only on a timer (refreshMs),
// from a snapshot.

import { Box, type Key, Text, useInput, useWindowSize } from 'ink'
import { createElement as h, type ReactElement, useEffect, useMemo, useRef, useState } from 'react'
import type { AccessRecord } from '../../runtime/index.ts'
import { BROWSE_SCREENS, useBrowse } from './browse.ts'
import { HELP, parseCommand, type Screen } from './commands.ts'
import { type HopContext, hopLines, type UpstreamChoice } from './hops.ts'
import { maxOffset } from './list-view.ts'
import { LoadControl, type LoadStats } from './load.ts'
import { MapView } from './map-view.ts'
import { hopsOf, matches, parseFilter, RequestLog } from './requests.ts'
import { HopsView, RequestsView, requestWindow } from './requests-view.ts'
import type { TuiSource } from './source.ts'
import type { MeshView } from './topology.ts'
import { type EdgeStats, TrafficWindow } from './traffic.ts'

export interface AppProps {
  readonly source: TuiSource
  readonly color: boolean
  /** Called on q, :q or Ctrl-C; the caller unmounts and shuts the mesh down. */
  readonly onQuit: () => void
  readonly refreshMs?: number
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  readonly columns?: number
  readonly rows?: number
}

type Mode = 'normal' | 'command' | 'filter'

interface Frame {
  readonly view: MeshView
  readonly edges: readonly EdgeStats[]
  /** The request log as of this frame (kept while paused). */
  readonly all: readonly AccessRecord[]
  readonly load?: LoadStats
}

export function App(props: AppProps): ReactElement {
  const { source, color } = props
  const size = useWindowSize()
  const columns = props.columns ?? size.columns
  const rows = props.rows ?? size.rows
  const traffic = useRef(new TrafficWindow({ gateways: source.gateways }))
  const log = useRef(new RequestLog())
  const load = useRef(new LoadControl(source.load))
  const [screen, setScreen] = useState<Screen>('map')
  const [back, setBack] = useState<Screen>('map')
  // The prompt lives in a ref too: one chunk of keys (`:req⏎`) changes it several times.
  const prompt = useRef<{ mode: Mode; text: string }>({ mode: 'normal', text: '' })
  const [{ mode, text: input }, setPromptView] = useState(prompt.current)
  const setPrompt = (p: { mode: Mode; text: string }) => {
    prompt.current = p
    setPromptView(p)
  }
  const [filter, setFilter] = useState('')
  const [paused, setPaused] = useState(false)
  const [selected, setSelected] = useState<number | undefined>(undefined)
  const [opened, setOpened] = useState<AccessRecord | undefined>(undefined)
  const [hopOffset, setHopOffset] = useState(0)
  const hopMax = useRef(0)
  const [upstream, setUpstream] = useState<{ key: string; choice: UpstreamChoice | 'none' }>()
  const [message, setMessage] = useState('')
  const snapshot = (): Frame => ({
    view: source.meshView(),
    edges: traffic.current.snapshot(Date.now()),
    all: log.current.all(),
    ...(load.current.stats() ? { load: load.current.stats() } : {}),
  })
  const [frame, setFrame] = useState<Frame>(snapshot)

  useEffect(() => {
    const stop = source.subscribe((r) => {
      traffic.current.add(r, Date.now())
      log.current.add(r)
    })
    return () => {
      stop()
      load.current.close()
    }
  }, [source])

  // The only re-render driver besides keys: one frame per refreshMs, however busy the mesh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: snapshot reads only refs and the source
  useEffect(() => {
    const timer = setInterval(() => {
      setFrame((prev) => {
        const next = snapshot()
        return paused ? { ...next, all: prev.all } : next
      })
    }, props.refreshMs ?? 300)
    return () => clearInterval(timer)
  }, [paused, props.refreshMs])

  const records = useMemo(() => {
    const f = parseFilter(filter)
    return frame.all.filter((r) => matches(r, f))
  }, [frame.all, filter])
  const current =
    selected === undefined ? records.length - 1 : Math.min(selected, records.length - 1)

  const go = (to: Screen) => {
    if (to !== screen) setBack(screen)
    setScreen(to)
  }

  const loadFrom = (from?: string, to?: string) => {
    const target = load.current.target
    const next = source.loadTarget?.(from ?? target?.from ?? 'sleep', to ?? target?.url)
    if (next === undefined) return setMessage('this mesh cannot choose where load comes from')
    setMessage(typeof next === 'string' ? next : load.current.retarget(next))
  }
  const browse = useBrowse({
    source,
    screen,
    filter,
    go,
    say: setMessage,
    loadFrom: (pod) => loadFrom(pod),
    refreshMs: props.refreshMs ?? 300,
  })

  const run = (text: string) => {
    const c = parseCommand(text)
    if (c.kind === 'quit') props.onQuit()
    else if (c.kind === 'unknown') setMessage(`unknown command :${c.text} (? for help)`)
    else if (c.kind === 'go') {
      if (c.screen === 'pods' || c.screen === 'svc') browse.setScope(c.scope)
      go(c.screen)
    } else if (!c.on) setMessage(load.current.toggle(false))
    else {
      if (c.from !== undefined || c.to !== undefined) loadFrom(c.from, c.to)
      if (c.rps !== undefined) setMessage(load.current.setRate(c.rps))
      else if (c.from === undefined && c.to === undefined) setMessage(load.current.toggle(true))
    }
  }

  const onKey = (ch: string, key: Partial<Key>) => {
    const { mode: m, text } = prompt.current
    if (m !== 'normal') {
      if (key.escape) {
        if (m === 'filter') setFilter('')
        setPrompt({ mode: 'normal', text: '' })
      } else if (key.return) {
        setPrompt({ mode: 'normal', text: '' })
        if (m === 'command') run(text)
        else {
          setFilter(text)
          setSelected(undefined)
          // The filter narrows the list on screen; from the map or help, the requests.
          go(['requests', 'pods', 'svc'].includes(screen) ? screen : 'requests')
        }
      } else if (key.backspace || key.delete) setPrompt({ mode: m, text: text.slice(0, -1) })
      else if (!key.ctrl && !key.meta && ch) setPrompt({ mode: m, text: text + ch })
      return
    }
    setMessage('')
    if (ch === ':' || ch === '/') setPrompt({ mode: ch === ':' ? 'command' : 'filter', text: '' })
    else if (ch === 'q') props.onQuit()
    else if (ch === '?') go('help')
    else if (key.escape) {
      if (screen === 'hops') setScreen('requests')
      else if (screen === 'help') setScreen(back === 'help' ? 'map' : back)
      else if (filter !== '') setFilter('')
      else setScreen(BROWSE_SCREENS.includes(screen) ? browse.back() : 'map')
    } else if (BROWSE_SCREENS.includes(screen) && browse.onKey(ch, key)) {
      // handled by the pods, services, endpoints or trust screen
    } else if (ch === 'l') setMessage(load.current.toggle())
    else if (ch === '+' || ch === '=') setMessage(load.current.step(true))
    else if (ch === '-') setMessage(load.current.step(false))
    else if (ch === 'p' && screen === 'requests') setPaused((p) => !p)
    else if (screen === 'requests') {
      if (key.upArrow || ch === 'k') setSelected(Math.max(0, current - 1))
      else if (key.downArrow || ch === 'j') {
        setSelected(current + 1 >= records.length - 1 ? undefined : current + 1)
      } else if (key.return && records[current]) {
        setOpened(records[current])
        setHopOffset(0)
        go('hops')
      }
    } else if (screen === 'hops') {
      if (key.upArrow || ch === 'k')
        setHopOffset((o) => Math.max(0, Math.min(o, hopMax.current) - 1))
      else if (key.downArrow || ch === 'j') setHopOffset((o) => Math.min(hopMax.current, o + 1))
    }
  }

  // Keys typed faster than a read (tmux send-keys, paste) arrive as one chunk. They run one per
  // render, so each sees the screen and selection the key before it left (`jj⏎` opens row 2).
  const queued = useRef<[string, Partial<Key>][]>([])
  const [typed, setTyped] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each queued key's render
  useEffect(() => {
    const next = queued.current.shift()
    if (next === undefined) return
    onKey(...next)
    setTyped((n) => n + 1)
  }, [typed])

  useInput((ch, key) => {
    if (key.ctrl && ch === 'c') props.onQuit()
    else if (ch.length > 1 && !ch.startsWith('\u001b')) {
      for (const c of ch) queued.current.push([c, c === '\r' || c === '\n' ? { return: true } : {}])
      setTyped((n) => n + 1)
    } else if (queued.current.length > 0) {
      // A key read while a chunk is still running waits its turn.
      queued.current.push([ch, key])
      setTyped((n) => n + 1)
    } else onKey(ch, key)
  })

  // The opened request's client sidecar, read once per request (endpoints change) for why it
  // picked its endpoint.
  const hops = screen === 'hops' && opened ? hopsOf(opened, frame.all) : []
  const client = hops.find((x) => x.role === 'client sidecar')?.record
  const clientKey = client?.upstreamCluster
    ? `${client.requestId} ${client.cluster}/${client.namespace}/${client.proxy} ${client.upstreamCluster}`
    : ''
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names everything read
  useEffect(() => {
    if (clientKey === '' || upstream?.key === clientKey || !client?.upstreamCluster) return
    const read = source.upstream?.(
      client.cluster,
      client.namespace,
      client.proxy,
      client.upstreamCluster,
    )
    const settle = (choice: UpstreamChoice | undefined) =>
      setUpstream({ key: clientKey, choice: choice ?? 'none' })
    if (read === undefined) settle(undefined)
    else read.then(settle, () => settle(undefined))
  }, [clientKey])

  const height = Math.max(4, rows - 1)
  const body = height - 2
  const on = (s: Screen) =>
    s === screen ||
    (s === 'requests' && screen === 'hops') ||
    (screen === 'endpoints' && s === browse.back())
  const tabs = (['map', 'requests', 'pods', 'svc', 'trust'] as const)
    .map((s) => (on(s) ? `<${s}>` : s))
    .join(' ')
  const l = frame.load
  const loadText = l?.running
    ? `load ${l.rps} rps  ok ${l.ok} fail ${l.failed}${l.dropped ? ` drop ${l.dropped}` : ''}`
    : 'load off'
  const asText = filter && parseFilter(filter).error ? ' (as text: not a regex)' : ''
  const state = `${paused ? ' PAUSED' : ''}${filter ? ` filter ${filter}${asText}` : ''}`
  let view: ReactElement
  if (screen === 'requests') {
    const { start, end } = requestWindow(records.length, current, body)
    const shown = records.slice(start, end)
    const total = records.length
    view = h(RequestsView, { shown, start, total, selected: current, columns, rows: body, color })
  } else if (screen === 'hops' && opened) {
    const context: HopContext = {
      gateways: source.gateways,
      ...(source.services ? { services: source.services() } : {}),
      ...(source.pods ? { pods: source.pods() } : {}),
      ...(upstream?.key === clientKey ? { upstream: upstream.choice } : {}),
    }
    const lines = hopLines(hops, context)
    hopMax.current = maxOffset(lines.length, body, 1)
    const offset = Math.min(hopOffset, hopMax.current)
    view = h(HopsView, { request: opened, lines, offset, columns, rows: body, color })
  } else if (screen === 'help') {
    view = h(
      Box,
      { flexDirection: 'column', height: body, overflow: 'hidden' },
      ...HELP.map((line, i) => h(Text, { key: `${i}`, wrap: 'truncate' }, line || ' ')),
    )
  } else if (BROWSE_SCREENS.includes(screen)) {
    view = browse.view(columns, body, color)
  } else {
    const recent = frame.all.slice(-body)
    view = h(MapView, { view: frame.view, edges: frame.edges, recent, columns, rows: body, color })
  }
  const footer =
    mode === 'command'
      ? `:${input}█`
      : mode === 'filter'
        ? `/${input}█`
        : message || '? help  : command  / filter  l load  +/- rate  esc back  q quit'
  return h(
    Box,
    { flexDirection: 'column', width: columns, height, overflow: 'hidden' },
    h(
      Text,
      { wrap: 'truncate', bold: true },
      `meshsim ${source.name} ${tabs}${state}  ${loadText}`,
    ),
    view,
    h(
      Text,
      { wrap: 'truncate', ...(color && mode === 'normal' ? { dimColor: true } : {}) },
      footer,
    ),
  )
}
