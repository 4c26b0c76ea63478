// A terminal for the TUI benchmark that is not there: a TTY-looking stdout of a fixed size that
// counts and drops what ink writes, a TTY-looking stdin the bench can type into, and the TUI
// mounted on them by the real mountTui, as `meshsim up --tui` mounts it but with these streams.

import { PassThrough, Writable } from 'node:stream'
import { type MountedTui, mountTui } from '../src/cli/tui/run.ts'
import type { TuiSource } from '../src/cli/tui/source.ts'

/** ink's "begin synchronized update": written once ahead of every frame on a TTY. */
const FRAME_START = '\u001b[?2026h'

export class CountingTty extends Writable {
  readonly isTTY = true
  readonly columns: number
  readonly rows: number
  bytes = 0
  frames = 0
  /** The latest write of any length (a frame, not a control sequence). */
  lastFrame = ''

  constructor(columns = 120, rows = 40) {
    super({ decodeStrings: false })
    this.columns = columns
    this.rows = rows
  }

  override _write(chunk: string | Buffer, _encoding: string, callback: () => void): void {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
    if (typeof chunk === 'string') {
      if (chunk.includes(FRAME_START)) this.frames++
      if (chunk.length > 80) this.lastFrame = chunk
    }
    callback()
  }

  /** Zeroes the counters (at the start of a measured window). */
  reset(): void {
    this.bytes = 0
    this.frames = 0
  }
}

/** A keyboard: what the bench writes arrives as typed keys. */
export class FakeTtyStdin extends PassThrough {
  readonly isTTY = true
  isRaw = false

  setRawMode(raw: boolean): this {
    this.isRaw = raw
    return this
  }

  ref(): this {
    return this
  }

  unref(): this {
    return this
  }
}

export interface FakeTerminal {
  readonly stdout: CountingTty
  readonly stdin: FakeTtyStdin
  readonly tui: MountedTui
}

/** mountTui on a fake terminal of `columns`×`rows`. */
export function mountOnFakeTerminal(
  source: TuiSource,
  env: NodeJS.ProcessEnv,
  columns = 120,
  rows = 40,
): FakeTerminal {
  const stdout = new CountingTty(columns, rows)
  const stdin = new FakeTtyStdin()
  const stderr = new CountingTty(columns, rows)
  // Casts: ink reads only the TTY fields these fakes carry.
  const streams = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  }
  return { stdout, stdin, tui: mountTui(source, env, streams) }
}
