// Open-loop HTTP load at a fixed rate, in a child process of its own (outside the mesh's event
// loop and threads). Requests leave on a schedule, one every 1/rate s, whatever the answers do,
// and latency counts from each request's scheduled time, so a stall shows up in the percentiles
// instead of quietly slowing the sender (no coordinated omission). Percentiles come from Node's
// HDR histogram (perf_hooks.createHistogram). The parent hears over IPC when the measured
// window opens and closes, then gets the result.

import { type ChildProcess, fork } from 'node:child_process'
import { Agent, request } from 'node:http'
import { createHistogram, performance } from 'node:perf_hooks'

export interface OpenLoopSpec {
  /** Where requests go on 127.0.0.1 (a sidecar's capture port: an HTTP proxy). */
  readonly port: number
  /** The request target, e.g. http://helloworld.sample:5000/hello. */
  readonly url: string
  readonly rate: number
  /** Seconds of load before the measured window (pools, JIT, the TUI's traffic window). */
  readonly warmupSeconds: number
  readonly seconds: number
}

export interface OpenLoopResult {
  /** Answers that arrived during the measured window, per second. */
  readonly rps: number
  /** Requests scheduled in the window (rate × seconds). */
  readonly scheduled: number
  /** Latency from the scheduled send time, ms. */
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly max: number
  /** Answers that were not 2xx, and requests that failed or never answered (within 5 s). */
  readonly errors: number
  /** CPU seconds the load generator itself used during the window. */
  readonly cpuSeconds: number
}

export type OpenLoopMessage =
  | { readonly type: 'window-open' }
  | { readonly type: 'window-closed' }
  | { readonly type: 'result'; readonly result: OpenLoopResult }

/** Runs one load in a child process; `onWindow` hears when the measured window opens and closes. */
export function openLoop(
  spec: OpenLoopSpec,
  onWindow: (open: boolean) => void,
): Promise<OpenLoopResult> {
  const child: ChildProcess = fork(new URL(import.meta.url), [JSON.stringify(spec)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.on('message', (m: OpenLoopMessage) => {
      if (m.type === 'result') resolve(m.result)
      else onWindow(m.type === 'window-open')
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`open-loop load exited with ${code}`)))
  })
}

const GRACE_MS = 5000
/** Requests waiting for an answer beyond this are not sent (and count as errors). */
const MAX_IN_FLIGHT = 10_000

async function main(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const send = (m: OpenLoopMessage) => process.send?.(m)
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const latency = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 })
  const interval = 1000 / spec.rate
  const start = performance.now() + 10
  const open = start + spec.warmupSeconds * 1000
  const close = open + spec.seconds * 1000
  let next = start
  let inFlight = 0
  let completedInWindow = 0
  let scheduled = 0
  let errors = 0
  let windowOpen = false
  let drained = () => {}
  let cpu = process.cpuUsage()

  const fire = (at: number) => {
    const measured = at >= open && at < close
    if (measured) scheduled++
    if (inFlight >= MAX_IN_FLIGHT) {
      if (measured) errors++
      return
    }
    inFlight++
    let settled = false
    const done = (ok: boolean) => {
      if (settled) return
      settled = true
      inFlight--
      if (inFlight === 0) drained()
      const end = performance.now()
      if (end >= open && end < close) completedInWindow++
      if (!measured) return
      if (ok) latency.record(Math.max(1, Math.round((end - at) * 1000)))
      else errors++
    }
    const req = request({ host: '127.0.0.1', port: spec.port, path: spec.url, agent }, (res) => {
      res.resume()
      res.on('end', () => done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300))
      res.on('error', () => done(false))
    })
    req.on('error', () => done(false))
    req.end()
  }

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      if (!windowOpen && now >= open) {
        windowOpen = true
        cpu = process.cpuUsage()
        send({ type: 'window-open' })
      }
      // Every request whose time has come, each stamped with its own scheduled time.
      while (next <= now && next < close) {
        fire(next)
        next += interval
      }
      if (next >= close) {
        setTimeout(
          () => {
            cpu = process.cpuUsage(cpu)
            send({ type: 'window-closed' })
            resolve()
          },
          Math.max(0, close - now),
        )
        return
      }
      setTimeout(tick, Math.max(0, next - performance.now()))
    }
    setTimeout(tick, Math.max(0, start - performance.now()))
  })
  // Answers still owed for the window, for at most GRACE_MS (counted as errors if never).
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GRACE_MS)
      drained = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
  errors += Math.max(0, scheduled - errors - latency.count)
  agent.destroy()
  const ms = (q: number) => latency.percentile(q) / 1000
  return {
    rps: completedInWindow / spec.seconds,
    scheduled,
    p50: ms(50),
    p99: ms(99),
    p999: ms(99.9),
    max: latency.max / 1000,
    errors,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }
}

if (import.meta.main) {
  // The bench is gone (killed, crashed): so is its load.
  process.on('disconnect', () => process.exit(1))
  const spec = JSON.parse(process.argv[2] ?? '{}') as OpenLoopSpec
  const result = await main(spec)
  process.send?.({ type: 'result', result } satisfies OpenLoopMessage, () => process.exit(0))
}
