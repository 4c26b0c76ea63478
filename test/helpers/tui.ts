// The TUI mounted with ink-testing-library at a fixed size, and keys typed one at a time
// (a longer write reaches useInput as one pasted chunk), each waited on until the frame shows
// what the key should have done.

import { render } from 'ink-testing-library'
import { createElement as h } from 'react'
import { expect, onTestFinished, vi } from 'vitest'
import { App } from '../../src/cli/tui/app.ts'
import type { TuiSource } from '../../src/cli/tui/source.ts'

export interface MountedApp {
  frame(): string
  /** Types `keys` (esc as one key), then waits until `until(frame)` holds. */
  type(keys: string, until: (frame: string) => boolean): Promise<void>
  /** Writes `chunk` to stdin as is: one read, as a paste or a fast tmux send-keys arrives. */
  write(chunk: string): void
}

export async function mountApp(
  source: TuiSource,
  opts: {
    columns?: number
    rows?: number
    timeoutMs?: number
    refreshMs?: number
    onQuit?: () => void
  } = {},
): Promise<MountedApp> {
  const app = render(
    h(App, {
      source,
      color: false,
      onQuit: opts.onQuit ?? (() => {}),
      refreshMs: opts.refreshMs ?? 50,
      columns: opts.columns ?? 80,
      rows: opts.rows ?? 24,
    }),
  )
  onTestFinished(() => app.unmount())
  const frame = () => app.lastFrame() ?? ''
  await vi.waitFor(() => expect(frame()).toContain('network network1'))
  // A frame on screen does not mean useInput listens yet (ink-testing-library#29).
  await new Promise((r) => setImmediate(r))
  const type = async (keys: string, until: (f: string) => boolean) => {
    for (const k of keys === '\u001b' ? [keys] : [...keys]) {
      app.stdin.write(k)
      await new Promise((r) => setImmediate(r))
    }
    await vi.waitFor(() => expect(until(frame()), `${keys} → ${frame()}`).toBe(true), {
      timeout: opts.timeoutMs ?? 10_000,
      interval: 10,
    })
  }
  return { frame, type, write: (chunk) => app.stdin.write(chunk) }
}

/** Fails unless every line of the frame fits `columns` and the frame `rows - 1` lines. */
export function expectFits(frame: string, columns = 80, rows = 24): void {
  const lines = frame.split('\n')
  expect(lines.length).toBeLessThanOrEqual(rows - 1)
  expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(columns)
}
