// Entry point of the `meshsim` command: runs the CLI on process.argv and sets the exit code.

import { processIo } from './io.ts'
import { run } from './program.ts'

process.exitCode = await run(process.argv.slice(2), processIo)
