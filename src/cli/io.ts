// The streams and exit codes every command uses; injected so tests run commands in-process.

export interface Io {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  /** Where `-f -` reads from; process.stdin when absent. */
  readonly stdin?: NodeJS.ReadableStream
}

/** Exit codes after istioctl and sysexits(3). */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 64,
  DataErr: 65,
  NoInput: 66,
  CantCreate: 73,
} as const

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr }
