// Steady load from a pod: HTTP requests through its sidecar's capture port (a plain HTTP proxy
// on 127.0.0.1) at a set rate, paced by a timer and bounded in flight, so the map has traffic;
// and LoadControl, what the TUI's keys and :load commands drive: on, off, rate, and retargeting.

import { Agent, request } from 'node:http'
import type { LoadTarget } from './source.ts'

export interface LoadStats {
  readonly running: boolean
  readonly rps: number
  readonly sent: number
  readonly ok: number
  readonly failed: number
  /** Requests skipped because `maxInFlight` were still waiting for answers. */
  readonly dropped: number
}

export interface LoadOptions {
  /** The sleep pod's sidecar capture port. */
  readonly port: number
  /** What to ask for, e.g. http://helloworld.sample:5000/hello. */
  readonly url: string
  readonly rps: number
  readonly maxInFlight?: number
}

export const MAX_RPS = 1000
const TICK_MS = 50

export class LoadGenerator {
  readonly #port: number
  readonly #url: string
  readonly #maxInFlight: number
  readonly #agent: Agent
  #rps: number
  #timer: NodeJS.Timeout | undefined
  /** Fractional requests owed from earlier ticks. */
  #owed = 0
  #inFlight = 0
  #sent = 0
  #ok = 0
  #failed = 0
  #dropped = 0

  constructor(options: LoadOptions) {
    this.#port = options.port
    this.#url = options.url
    this.#rps = clampRate(options.rps)
    this.#maxInFlight = options.maxInFlight ?? 64
    this.#agent = new Agent({ keepAlive: true, maxSockets: this.#maxInFlight })
  }

  get url(): string {
    return this.#url
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => this.#tick(), TICK_MS)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    this.#owed = 0
  }

  /** Stops and closes its connections (answers still in flight are abandoned). */
  close(): void {
    this.stop()
    this.#agent.destroy()
  }

  setRate(rps: number): void {
    this.#rps = clampRate(rps)
  }

  stats(): LoadStats {
    return {
      running: this.#timer !== undefined,
      rps: this.#rps,
      sent: this.#sent,
      ok: this.#ok,
      failed: this.#failed,
      dropped: this.#dropped,
    }
  }

  #tick(): void {
    this.#owed += (this.#rps * TICK_MS) / 1000
    const n = Math.floor(this.#owed)
    this.#owed -= n
    for (let i = 0; i < n; i++) {
      if (this.#inFlight >= this.#maxInFlight) {
        this.#dropped++
        continue
      }
      this.#send()
    }
  }

  #send(): void {
    this.#inFlight++
    this.#sent++
    let settled = false
    const done = (ok: boolean) => {
      if (settled) return
      settled = true
      this.#inFlight--
      if (ok) this.#ok++
      else this.#failed++
    }
    const req = request(
      { host: '127.0.0.1', port: this.#port, path: this.#url, agent: this.#agent },
      (res) => {
        res.resume()
        res.on('end', () => done((res.statusCode ?? 0) < 500))
        res.on('error', () => done(false))
      },
    )
    req.on('error', () => done(false))
    req.end()
  }
}

function clampRate(rps: number): number {
  return Math.max(1, Math.min(MAX_RPS, Math.round(rps)))
}

/** `pod@cluster → host:port/path`, short enough for an 80-column status line. */
export function loadLabel(t: LoadTarget): string {
  const [cluster, , pod] = t.from.split('/')
  return `${pod}@${cluster} → ${t.url.replace(/^https?:\/\//, '')}`
}

/** The steps + and - move the rate through. */
const RATES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

/** One generator at a time, from the chosen pod to the chosen URL; each call says what it did. */
export class LoadControl {
  #target: LoadTarget | undefined
  #generator: LoadGenerator | undefined
  #rps = 10

  constructor(target?: LoadTarget) {
    this.#target = target
  }

  get target(): LoadTarget | undefined {
    return this.#target
  }

  stats(): LoadStats | undefined {
    return this.#generator?.stats()
  }

  /** Sends from `target` from now on, at the current rate, and starts. */
  retarget(target: LoadTarget): string {
    this.#generator?.close()
    this.#generator = undefined
    this.#target = target
    return this.toggle(true)
  }

  toggle(on?: boolean): string {
    const target = this.#target
    if (!target) return 'no sleep pod with a sidecar to send load from'
    this.#generator ??= new LoadGenerator({ port: target.port, url: target.url, rps: this.#rps })
    const start = on ?? !this.#generator.stats().running
    if (start) this.#generator.start()
    else this.#generator.stop()
    return start ? `load on: ${loadLabel(target)}` : 'load off'
  }

  setRate(rps: number): string {
    this.#rps = clampRate(rps)
    this.#generator?.setRate(this.#rps)
    const on = this.toggle(true)
    return this.#target ? `load ${this.#rps} rps: ${loadLabel(this.#target)}` : on
  }

  step(up: boolean): string {
    const now = this.#rps
    const next = up
      ? (RATES.find((r) => r > now) ?? MAX_RPS)
      : ([...RATES].reverse().find((r) => r < now) ?? 1)
    return this.setRate(next)
  }

  close(): void {
    this.#generator?.close()
  }
}
