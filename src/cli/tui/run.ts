// Mounts the TUI on the terminal for `meshsim up`: the alternate screen (so frames never scroll
// or wipe scrollback), Ctrl-C as a key rather than a signal, and the colour choice; and decides
// whether a TUI is wanted at all.

import { type RenderOptions, render } from 'ink'
import { createElement as h } from 'react'
import { App } from './app.ts'
import type { TuiSource } from './source.ts'

export interface TuiChoice {
  /** --tui (true), --no-tui (false), or neither. */
  readonly flag?: boolean
  readonly output: 'text' | 'json'
  readonly stdinTTY: boolean
  readonly stdoutTTY: boolean
  readonly env: NodeJS.ProcessEnv
}

/** The TUI when forced, else only with text output on two terminals outside CI. */
export function wantsTui(c: TuiChoice): boolean {
  if (c.flag !== undefined) return c.flag
  return c.output === 'text' && c.stdinTTY && c.stdoutTTY && !c.env.CI
}

/** NO_COLOR (any value) or TERM=dumb turns colour off; meaning never rests on colour alone. */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb'
}

export interface MountedTui {
  /** Resolves when the user asks to quit (q, :q, Ctrl-C). */
  readonly quit: Promise<void>
  /** Leaves the alternate screen and restores the terminal. */
  unmount(): void
}

/** On the process's terminal, unless `streams` names others (a benchmark's fake terminal). */
export function mountTui(
  source: TuiSource,
  env: NodeJS.ProcessEnv,
  streams: Pick<RenderOptions, 'stdout' | 'stdin' | 'stderr'> = {},
): MountedTui {
  let onQuit = () => {}
  const quit = new Promise<void>((resolve) => {
    onQuit = resolve
  })
  const ink = render(h(App, { source, color: colorWanted(env), onQuit: () => onQuit() }), {
    ...streams,
    alternateScreen: true,
    exitOnCtrlC: false,
    patchConsole: true,
    maxFps: 10,
    // Ink takes any CI variable to mean "draw the last frame only"; --tui wants every frame.
    interactive: true,
  })
  return { quit, unmount: () => ink.unmount() }
}
