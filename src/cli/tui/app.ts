// The TUI's root: a k9s-like router over the views (map, requests, hops, help), the `:` command
// line, the `/` filter, and the load generator. Records are aggregated as they arrive but the
// screen re-renders only on a timer (refreshMs), from a snapshot.

import { Box, type Key, Text, useInput, useWindowSize } from 'ink'
import { createElement as h, type ReactElement, useEffect, useMemo, useRef, useState } from 'react'
import type { AccessRecord } from '../../runtime/index.ts'
import { LoadGenerator, type LoadStats } from './load.ts'
import { MapView } from './map-view.ts'
import { hopsOf, matches, parseFilter, RequestLog } from './requests.ts'
import { HopsView, RequestsView } from './requests-view.ts'
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

type Screen = 'map' | 'requests' | 'hops' | 'help'
type Mode = 'normal' | 'command' | 'filter'

interface Frame {
  readonly view: MeshView
  readonly edges: readonly EdgeStats[]
  /** The request log as of this frame (kept while paused). */
  readonly all: readonly AccessRecord[]
  readonly load?: LoadStats
}

const RATES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

const HELP = [
  ':map  :requests (:req)  :load on|off|RATE  :help  :q     commands',
  '/text  /!text           filter requests (! negates); esc clears',
  '↑ ↓  j k                select a request; enter opens its hops',
  'p                       pause / resume the request list',
  'l                       start / stop load from a sleep pod',
  '+ -                     load rate up / down (1 to 1000 rps)',
  'esc                     back; q or Ctrl-C quits and stops the mesh',
  '',
  'map: SPLIT is each version’s share of its source→service requests;',
  'TLS mTLS = every request mutual TLS (part = some, none = plaintext);',
  'GW gw = the edge crosses an east-west gateway; ✓ synced / ! stale.',
]

export function App(props: AppProps): ReactElement {
  const { source, color } = props
  const size = useWindowSize()
  const columns = props.columns ?? size.columns
  const rows = props.rows ?? size.rows
  const traffic = useRef(new TrafficWindow({ gateways: source.gateways }))
  const log = useRef(new RequestLog())
  const load = useRef<LoadGenerator | undefined>(undefined)
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
  const [message, setMessage] = useState('')
  const snapshot = (): Frame => ({
    view: source.meshView(),
    edges: traffic.current.snapshot(Date.now()),
    all: log.current.all(),
    ...(load.current ? { load: load.current.stats() } : {}),
  })
  const [frame, setFrame] = useState<Frame>(snapshot)

  useEffect(() => {
    const stop = source.subscribe((r) => {
      traffic.current.add(r, Date.now())
      log.current.add(r)
    })
    return () => {
      stop()
      load.current?.close()
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

  const toggleLoad = (on?: boolean) => {
    const target = source.load
    if (!target) {
      setMessage('no sleep pod with a sidecar to send load from')
      return
    }
    load.current ??= new LoadGenerator({ port: target.port, url: target.url, rps: 10 })
    const start = on ?? !load.current.stats().running
    if (start) load.current.start()
    else load.current.stop()
    setMessage(start ? `load on: ${target.from} → ${target.url}` : 'load off')
  }

  const setRate = (rps: number) => {
    toggleLoad(true)
    load.current?.setRate(rps)
    setMessage(`load ${load.current?.stats().rps ?? rps} rps`)
  }

  const stepRate = (up: boolean) => {
    const now = load.current?.stats().rps ?? 10
    const next = up
      ? (RATES.find((r) => r > now) ?? 1000)
      : ([...RATES].reverse().find((r) => r < now) ?? 1)
    setRate(next)
  }

  const run = (command: string) => {
    const [name = '', arg] = command.trim().split(/\s+/)
    if (name === 'q' || name === 'quit' || name === 'q!') props.onQuit()
    else if (name === 'map' || name === 'm') go('map')
    else if (['requests', 'req', 'r', 'logs'].includes(name)) go('requests')
    else if (name === 'help') go('help')
    else if (name === 'load') {
      if (arg === 'off' || arg === 'stop') toggleLoad(false)
      else if (arg !== undefined && /^\d+$/.test(arg)) setRate(Number(arg))
      else toggleLoad(true)
    } else if (['pods', 'pod', 'svc', 'trust'].includes(name)) {
      setMessage(`:${name} is not in this version yet`)
    } else setMessage(`unknown command :${name} (? for help)`)
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
          go(screen === 'map' || screen === 'help' ? 'requests' : screen)
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
      else setScreen('map')
    } else if (ch === 'l') toggleLoad()
    else if (ch === '+' || ch === '=') stepRate(true)
    else if (ch === '-') stepRate(false)
    else if (ch === 'p' && screen === 'requests') setPaused((p) => !p)
    else if (screen === 'requests') {
      if (key.upArrow || ch === 'k') setSelected(Math.max(0, current - 1))
      else if (key.downArrow || ch === 'j') {
        setSelected(current + 1 >= records.length - 1 ? undefined : current + 1)
      } else if (key.return && records[current]) {
        setOpened(records[current])
        go('hops')
      }
    }
  }

  useInput((ch, key) => {
    if (key.ctrl && ch === 'c') props.onQuit()
    // Keys typed faster than a read (tmux send-keys, paste) arrive as one chunk: one at a time.
    else if (ch.length > 1 && !ch.startsWith('\u001b')) {
      for (const c of ch) onKey(c, c === '\r' || c === '\n' ? { return: true } : {})
    } else onKey(ch, key)
  })

  const height = Math.max(4, rows - 1)
  const body = height - 2
  const tabs = (['map', 'requests'] as const)
    .map((s) => (s === screen || (s === 'requests' && screen === 'hops') ? `<${s}>` : ` ${s} `))
    .join('')
  const l = frame.load
  const loadText = l?.running
    ? `load ${l.rps} rps  ok ${l.ok} fail ${l.failed}${l.dropped ? ` drop ${l.dropped}` : ''}`
    : 'load off'
  const state = `${paused ? ' PAUSED' : ''}${filter ? ` filter ${filter}` : ''}`
  let view: ReactElement
  if (screen === 'requests') {
    view = h(RequestsView, { records, selected: current, columns, rows: body, color })
  } else if (screen === 'hops' && opened) {
    const hops = hopsOf(opened, frame.all)
    const client = hops.find((x) => x.role === 'client sidecar')?.record.upstreamHost
    const pending =
      !hops.some((x) => x.role === 'gateway') && client && source.gateways.includes(client)
        ? client
        : undefined
    view = h(HopsView, {
      hops,
      ...(pending ? { pendingGateway: pending } : {}),
      columns,
      rows: body,
      color,
    })
  } else if (screen === 'help') {
    view = h(
      Box,
      { flexDirection: 'column', height: body, overflow: 'hidden' },
      ...HELP.map((line, i) => h(Text, { key: `${i}`, wrap: 'truncate' }, line)),
    )
  } else {
    view = h(MapView, { view: frame.view, edges: frame.edges, columns, rows: body, color })
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
