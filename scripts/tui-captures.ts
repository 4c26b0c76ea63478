// Regenerates the TUI's screenshots as text: runs the real `meshsim up examples/two-networks.yaml
// --tui` in a private tmux server, drives it with keys as a user would, saves each view's screen
// to docs/tui/NAME.txt, writes docs/tui.md around them, and puts the 80x24 map into README.md
// (between its tui-capture markers). A view the running build lacks (its command answers
// "unknown" or "not in this version") is skipped with a note, so VIEWS can name views early.
// Run from the repository root: node scripts/tui-captures.ts

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Tmux } from '../test/helpers/tmux.ts'

/** Keys sent in one go: 'Enter' and 'Escape' are pressed, anything else typed as text. */
interface Step {
  readonly keys: readonly string[]
  /** Waits for this on the screen before the next step (or the capture). */
  readonly until?: (screen: string) => boolean
  /** Sends the keys again (each time the screen has changed) until `until`, at most this often. */
  readonly repeat?: number
}

interface View {
  /** docs/tui/NAME.txt */
  readonly name: string
  /** Its heading in docs/tui.md, and one line on what to look at. */
  readonly title: string
  readonly about: string
  readonly columns: number
  readonly rows: number
  readonly steps: readonly Step[]
}

const edges = (s: string) =>
  /helloworld v1 @cluster1 +[█░]{8} +[1-9]\d*%/.test(s) &&
  /helloworld v2 @cluster2 +[█░]{8} +[1-9]\d*%/.test(s)
const loadOk = (n: number) => (s: string) => Number(/ ok (\d+) /.exec(s)?.[1] ?? 0) >= n

/** In the order they are taken: each starts where the previous one left the TUI. */
const VIEWS: readonly View[] = [
  {
    name: 'map-80x24',
    title: 'The mesh map at 80x24, with `:load 50` on',
    about:
      "Each network is a box holding its cluster: istiod (\u2713 synced), the east-west gateway's public address, the workloads by version. Below, the live edges from sleep to helloworld: SPLIT is the v1/v2 share at a glance (bar and percent), `gw` marks the edge to v2 that crosses network2's gateway, `mTLS` says every request was mutual TLS.",
    columns: 80,
    rows: 24,
    steps: [{ keys: [':load 50', 'Enter'], until: (s) => edges(s) && loadOk(150)(s) }],
  },
  {
    name: 'map-120x36',
    title: 'The same map at 120x36',
    about:
      "The boxes and columns widen with the terminal, and the edges gain REQ (requests in the window) and FLAGS (Envoy's response flags).",
    columns: 120,
    rows: 36,
    steps: [{ keys: [], until: edges }],
  },
  {
    name: 'requests',
    title: 'Requests: the live access log (`:req`)',
    about:
      "One line per proxy record, newest at the bottom: for each request the client sidecar's `outbound` record and the server sidecar's `inbound` one; `>` marks the selection, `/` filters, `p` pauses.",
    columns: 100,
    rows: 30,
    steps: [
      {
        keys: [':req', 'Enter'],
        until: (s) => /<requests>/.test(s) && (s.match(/^[ >]\d\d:\d\d:/gm) ?? []).length >= 20,
      },
    ],
  },
  {
    name: 'hops',
    title: "A request's hops (`/inbound.*cluster2/helloworld-v2`, then Enter)",
    about:
      "One request from cluster1's sleep to helloworld v2 in network2: the client sidecar matched the Host header to the helloworld service and picked the gateway 192.168.1.247:15443 from its two endpoints (network2's pods sit behind it), the gateway passed the TLS through on its SNI (its own record comes when the pooled connection closes, so the server sidecar's view says which gateway pod it was), and the server sidecar saw the caller's SPIFFE identity; both ends negotiated ALPN http/1.1. Taller than a terminal: j/k scroll it.",
    columns: 100,
    rows: 42,
    steps: [
      { keys: [':load off', 'Enter'], until: (s) => /load off/.test(s) },
      {
        keys: ['/inbound.*cluster2/helloworld-v2', 'Enter'],
        until: (s) => /^>.* inbound .*cluster2\/helloworld-v2-/m.test(s),
      },
      {
        keys: ['Enter'],
        until: (s) => /3\. server sidecar/.test(s) && /why +1 of 2 endpoints/.test(s),
      },
    ],
  },
  {
    name: 'help',
    title: 'Help (`?`)',
    about: "Every key and command, and how to read the map's columns.",
    columns: 80,
    rows: 24,
    // Back from the hops, clear the filter, then help.
    steps: [
      { keys: ['Escape'], until: (s) => /^\d+ records /m.test(s) },
      { keys: ['Escape'], until: (s) => !/ filter /.test(s.split('\n')[0] ?? '') },
      { keys: ['?'], until: (s) => /filter requests \(! negates\)/.test(s) },
    ],
  },
  {
    name: 'pods',
    title: 'Pods (`:pods`)',
    about:
      "Every pod of every cluster with its IP, READY (app + sidecar) and whether its proxy has the control plane's latest config.",
    columns: 80,
    rows: 24,
    steps: [{ keys: [':pods', 'Enter'], until: (s) => /<pods>/.test(s) && /sleep/.test(s) }],
  },
  {
    name: 'endpoints',
    title: "A proxy's endpoints (Enter on cluster1's sleep pod)",
    about:
      "Split horizon: helloworld's local pod IP next to cluster2's east-west gateway, each with its weight and what it reaches.",
    columns: 80,
    rows: 24,
    // cluster1's sleep pod, opened to its proxy's endpoints.
    steps: [
      {
        keys: [':pods cluster1', 'Enter'],
        until: (s) => /<pods>/.test(s) && /^>cluster1/m.test(s),
      },
      { keys: ['j'], until: (s) => /^>cluster1 +sample +sleep/m.test(s), repeat: 8 },
      { keys: ['Enter'], until: (s) => /192\.168\.1\.247:15443/.test(s) },
    ],
  },
  {
    name: 'services',
    title: 'Services (`:svc`)',
    about:
      "Each cluster's services with their ports, and how many endpoints its first sidecar pod sees for each: LOCAL on its own network, REMOTE behind other networks' gateways.",
    columns: 80,
    rows: 24,
    steps: [{ keys: [':svc', 'Enter'], until: (s) => /<svc>/.test(s) && /helloworld/.test(s) }],
  },
  {
    name: 'trust',
    title: 'Trust (`:trust`)',
    about:
      'One root, an intermediate per cluster signed by it, and the workload certificates with the time they have left.',
    columns: 80,
    rows: 24,
    steps: [{ keys: [':trust', 'Enter'], until: (s) => /WORKLOAD CERTIFICATES/.test(s) }],
  },
]

const MISSING = /unknown command|not in this version/

let tmux: Tmux | undefined
const text = async () => (await tmux?.screen())?.join('\n') ?? ''

/** Polls `probe` until it returns a value, for at most `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; the screen:\n${await text()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

const out = join('docs', 'tui')
mkdirSync(out, { recursive: true })
const run = mkdtempSync(join(tmpdir(), 'meshsim-captures-'))
tmux = await Tmux.start({
  command: [process.execPath, 'src/cli/main.ts', 'up', 'examples/two-networks.yaml'].concat([
    '--admin',
    '127.0.0.1:0',
    '--tui',
  ]),
  columns: 80,
  rows: 24,
  env: { ...process.env, MESHSIM_RUN_FILE: join(run, 'run.json') },
})
const taken = new Map<View, string>()
try {
  await until('the map', async () => ((await text()).includes('gateway 192.') ? true : undefined))
  for (const view of VIEWS) {
    await tmux.resize(view.columns, view.rows)
    // The frame follows the size: its key line sits on the terminal's last row but one.
    await until(`${view.name} at ${view.columns}x${view.rows}`, async () => {
      const s = (await tmux?.screen()) ?? []
      return s.length === view.rows && s.findLastIndex((l) => l !== '') === view.rows - 2
        ? true
        : undefined
    })
    if (!(await drive(view))) {
      console.log(`${view.name}: not in this build, skipped`)
      await tmux.press('Escape')
      continue
    }
    const screen = await tmux.screen()
    while (screen.at(-1) === '') screen.pop()
    taken.set(view, `${screen.join('\n')}\n`)
    writeFileSync(join(out, `${view.name}.txt`), `${screen.join('\n')}\n`)
    console.log(`${view.name}: ${join(out, `${view.name}.txt`)}`)
  }
  await tmux.type('q')
  const status = await until('meshsim to exit', async () => tmux?.exitStatus())
  if (status !== 0) throw new Error(`meshsim up exited ${status}`)
} finally {
  await tmux.kill()
  rmSync(run, { recursive: true, force: true })
}
writeFileSync(join('docs', 'tui.md'), page(taken))
const map = [...taken].find(([v]) => v.name === 'map-80x24')?.[1]
if (map) {
  const readme = readFileSync('README.md', 'utf8')
  const block = /(<!-- tui-capture map-80x24 -->\n)[\s\S]*?(<!-- \/tui-capture -->)/
  if (!block.test(readme)) throw new Error('README.md has no tui-capture map-80x24 markers')
  writeFileSync(
    'README.md',
    readme.replace(block, (_, open, close) => `${open}\`\`\`text\n${map}\`\`\`\n${close}`),
  )
}

/** Sends a view's steps; false when the build does not have the view. */
async function drive(view: View): Promise<boolean> {
  for (const step of view.steps) {
    let result: 'missing' | 'ready' | 'again' = 'again'
    for (let i = 0; i <= (step.repeat ?? 0) && result === 'again'; i++) {
      const before = await text()
      if (step.repeat && step.until?.(before)) {
        result = 'ready'
        break
      }
      for (const k of step.keys) {
        if (k === 'Enter' || k === 'Escape') await tmux?.press(k)
        else await tmux?.type(k)
      }
      result = await until(view.name, async () => {
        const s = await text()
        if (MISSING.test(s)) return 'missing'
        if (!step.until || step.until(s)) return 'ready'
        return step.repeat && s !== before ? 'again' : undefined
      })
    }
    if (result === 'again') throw new Error(`${view.name}: ${step.keys} sent ${step.repeat} times`)
    if (result === 'missing') return false
  }
  return true
}

function page(captures: ReadonlyMap<View, string>): string {
  const parts = [
    '# The TUI, view by view',
    '',
    '<!-- Generated by scripts/tui-captures.ts: edit the script, then run `node scripts/tui-captures.ts`. -->',
    '',
    'Text captures of `meshsim up examples/two-networks.yaml` in a terminal, taken with tmux by',
    '[scripts/tui-captures.ts](../scripts/tui-captures.ts) from the running program, keys and all',
    '(the same flow [test/e2e/tui-tmux.test.ts](../test/e2e/tui-tmux.test.ts) checks). Pod names,',
    'times and rates change from run to run. The keys are in the README and behind `?`.',
  ]
  for (const [view, screen] of captures) {
    parts.push('', `## ${view.title}`, '', view.about, '', '```text', screen.trimEnd(), '```')
  }
  return `${parts.join('\n')}\n`
}
