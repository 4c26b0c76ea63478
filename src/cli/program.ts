// The command tree. Each command's module is imported only when that command runs, so that
// `meshsim --help` answers without loading YAML, zod or X.509 code.

import { Command, CommanderError, Option } from 'commander'
import { ExitCode, type Io } from './io.ts'

const EXIT_CODES = `
Exit codes:
  0   success
  1   unexpected error
  64  bad usage (unknown command or option, missing argument)
  65  invalid input data (a topology with problems)
  66  an input file cannot be read
  73  an output file cannot be created`

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('meshsim')
    .description(
      'Emulate an Istio multicluster service mesh on one machine, with real sockets, mTLS and DNS.',
    )
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()

  program
    .command('validate')
    .description('check topology files and report every problem as FILE:LINE:COL: message')
    .argument('<file...>', 'topology files (YAML, apiVersion meshsim.dev/v1alpha1, kind Mesh)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (files: string[], opts: { output: 'text' | 'json' }) => {
      const { validateCommand } = await import('./commands/validate.ts')
      setExit(validateCommand(files, opts, io))
    })

  program
    .command('schema')
    .description('print the JSON Schema of the topology format (for editors)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.ts')
      setExit(schemaCommand(io))
    })

  program
    .command('certs')
    .description(
      "write a root CA and per-cluster intermediates in the layout of Istio's tools/certs Makefile",
    )
    .requiredOption('--out <dir>', 'output folder')
    .requiredOption('--clusters <names>', 'comma-separated cluster names, e.g. cluster1,cluster2')
    .option('--root-cert <file>', 'reuse this root certificate instead of generating one')
    .option('--root-key <file>', 'the private key of --root-cert')
    .addOption(
      new Option('--key-algorithm <alg>', 'key type of generated CAs')
        .choices(['ECDSA', 'RSA'])
        .default('ECDSA'),
    )
    .option('--force', 'overwrite existing files')
    .action(
      async (opts: {
        out: string
        clusters: string
        rootCert?: string
        rootKey?: string
        keyAlgorithm: 'ECDSA' | 'RSA'
        force?: boolean
      }) => {
        const { certsCommand } = await import('./commands/certs.ts')
        const clusters = opts.clusters
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
        setExit(
          await certsCommand(
            {
              out: opts.out,
              clusters,
              keyAlgorithm: opts.keyAlgorithm,
              ...(opts.rootCert ? { rootCert: opts.rootCert } : {}),
              ...(opts.rootKey ? { rootKey: opts.rootKey } : {}),
              ...(opts.force ? { force: true } : {}),
            },
            io,
          ),
        )
      },
    )

  return program
}

/** Runs the CLI on argv (without node and script) and resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = ExitCode.Ok
  const program = buildProgram(io, (c) => {
    code = c
  })
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput())
  try {
    await program.parseAsync(argv, { from: 'user' })
    return code
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return ExitCode.Ok
      }
      return ExitCode.Usage
    }
    io.stderr.write(`meshsim: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return ExitCode.Error
  }
}
