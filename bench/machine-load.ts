// How busy the rest of the machine is: CPU that processes other than the bench used over a stretch
// of time, from /proc/stat (Linux; elsewhere nothing is known). Latency percentiles on a shared
// machine move with its neighbours, so the TUI bench waits for a quiet moment before each round
// and reports what the neighbours used during it.

import { readFileSync } from 'node:fs'

/** CPU seconds the whole machine has spent busy since boot (undefined without /proc/stat). */
export function machineBusySeconds(): number | undefined {
  let text: string
  try {
    text = readFileSync('/proc/stat', 'utf8')
  } catch {
    return undefined
  }
  // cpu  user nice system idle iowait irq softirq steal ...: in USER_HZ (100 per second).
  const f = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f
  return (user + nice + system + irq + softirq + steal) / 100
}

/** This process's CPU seconds, every thread. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

export interface LoadMark {
  readonly at: number
  readonly machine: number | undefined
  readonly own: number
}

export function markLoad(): LoadMark {
  return { at: performance.now(), machine: machineBusySeconds(), own: ownCpuSeconds() }
}

/** Cores other processes kept busy from `from` to `to`, less `alsoOurs` CPU seconds (a child's). */
export function foreignCores(from: LoadMark, to: LoadMark, alsoOurs = 0): number | undefined {
  if (from.machine === undefined || to.machine === undefined) return undefined
  const seconds = (to.at - from.at) / 1000
  const foreign = to.machine - from.machine - (to.own - from.own) - alsoOurs
  return Math.max(0, foreign / seconds)
}

/**
 * Waits until other processes use at most `maxCores` over one second, for at most `timeoutMs`;
 * resolves with what they used in the last second measured.
 */
export async function quietMoment(
  maxCores: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const from = markLoad()
    await new Promise((r) => setTimeout(r, 1000))
    const cores = foreignCores(from, markLoad())
    if (cores === undefined || cores <= maxCores || performance.now() >= deadline) return cores
  }
}
