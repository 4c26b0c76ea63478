// A program running in a private tmux server, as a user's terminal would run it: its own socket
// (-S in a temp dir, so a user's tmux is never touched), a fixed size, keys sent with send-keys,
// the screen read with capture-pane, resizes, and the program's exit status once it ends.
// Used by the TUI's end-to-end test and by scripts/tui-captures.ts.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** tmux's path on PATH, or undefined. */
export function findTmux(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (env.PATH ?? '')
    .split(':')
    .filter((d) => d !== '')
    .map((d) => join(d, 'tmux'))
    .find((p) => existsSync(p))
}

/**
 * The environment a program sees in a plain terminal: no CI markers (ink draws nothing live when
 * it believes it runs in CI), no enclosing tmux, no test runner's NODE_ENV.
 */
export function terminalEnv(
  env: NodeJS.ProcessEnv,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const drop = new Set(['CI', 'CONTINUOUS_INTEGRATION', 'TMUX', 'TMUX_PANE', 'NODE_ENV'])
  return {
    ...Object.fromEntries(
      Object.entries(env).filter(([k]) => !drop.has(k) && !k.startsWith('VITEST')),
    ),
    ...extra,
  }
}

export interface TmuxOptions {
  /** The program and its arguments, run without a shell's parsing. */
  readonly command: readonly string[]
  readonly columns: number
  readonly rows: number
  readonly env: NodeJS.ProcessEnv
  /** Set after the CI markers are dropped, e.g. to run under `CI=true` on purpose. */
  readonly extraEnv?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** TERM inside the pane. */
  readonly term?: string
  /** A file to record everything the program writes to the terminal, escapes included. */
  readonly record?: string
}

export class Tmux {
  readonly #tmux: string
  /** Holds the server's socket and the program's exit status. */
  readonly #dir: string
  readonly #env: NodeJS.ProcessEnv

  private constructor(tmux: string, dir: string, env: NodeJS.ProcessEnv) {
    this.#tmux = tmux
    this.#dir = dir
    this.#env = env
  }

  /** Starts a new tmux server on a socket of its own, running `command` in its only pane. */
  static async start(o: TmuxOptions): Promise<Tmux> {
    const tmux = findTmux(o.env)
    if (!tmux) throw new Error('tmux is not on PATH: install it (apt-get install tmux)')
    const t = new Tmux(
      tmux,
      mkdtempSync(join(tmpdir(), 'meshsim-tmux-')),
      terminalEnv(o.env, o.extraEnv),
    )
    // A shell waits for the program and writes its status: tmux 3.3 sometimes leaves an exited
    // pane's process unreaped (a zombie), so #{pane_dead_status} cannot be relied on.
    const wrapped = ['sh', '-c', '"$@"; echo $? > "$0"', join(t.#dir, 'status'), ...o.command]
    // One invocation: the options are in place before the program starts, and the recording
    // is attached before the server reads any of the pane's output.
    await t.#run(
      ...['start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';'],
      ...['set-option', '-g', 'escape-time', '0', ';'],
      ...['set-option', '-g', 'default-terminal', o.term ?? 'xterm-256color', ';'],
      ...['set-option', '-g', 'status', 'off', ';'],
      ...['new-session', '-d', '-s', 'main', '-x', `${o.columns}`, '-y', `${o.rows}`],
      ...(o.cwd ? ['-c', o.cwd] : []),
      ...wrapped,
      ...(o.record ? [';', 'pipe-pane', '-t', 'main', `cat > '${o.record}'`] : []),
    )
    return t
  }

  async #run(...args: string[]): Promise<string> {
    const socket = join(this.#dir, 'socket')
    const { stdout } = await exec(this.#tmux, ['-S', socket, '-f', '/dev/null', ...args], {
      env: this.#env,
    })
    return stdout
  }

  /** Types `text` literally (no key names). */
  async type(text: string): Promise<void> {
    await this.#run('send-keys', '-t', 'main', '-l', text)
  }

  /** Presses keys by tmux name: Enter, Escape, Up, C-c... */
  async press(...keys: string[]): Promise<void> {
    await this.#run('send-keys', '-t', 'main', ...keys)
  }

  /**
   * The visible screen, one string per row, wrapped rows joined (so a line the program wrote
   * wider than the terminal shows as one long line), trailing blanks trimmed.
   */
  async screen(): Promise<string[]> {
    const text = await this.#run('capture-pane', '-p', '-J', '-t', 'main')
    return text
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.trimEnd())
  }

  async resize(columns: number, rows: number): Promise<void> {
    await this.#run('resize-window', '-t', 'main', '-x', `${columns}`, '-y', `${rows}`)
  }

  /** The program's exit status once it has exited, else undefined. */
  exitStatus(): number | undefined {
    try {
      const s = readFileSync(join(this.#dir, 'status'), 'utf8')
      return s.endsWith('\n') ? Number(s) : undefined
    } catch {
      return undefined
    }
  }

  /** Ends the server and whatever still runs in it; safe to call twice. */
  async kill(): Promise<void> {
    await this.#run('kill-server').catch(() => {})
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
