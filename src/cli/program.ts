// The command tree. Each command's module is imported only when that command runs, so that
// `meshsim --help` answers without loading YAML, zod or X.509 code.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { AnalyzeOptions } from './commands/analyze.ts'
import { ExitCode, type Io } from './io.ts'

const EXIT_CODES = `
Exit codes:
  0   success
  1   unexpected error
  64  bad usage (unknown command or option, missing argument)
  65  invalid input data (a topology with problems)
  66  an input file cannot be read
  73  an output file cannot be created`

/** Where commands find a running mesh; the same option on every client command. */
const adminOption = () =>
  new Option(
    '--admin <url>',
    'admin API of the running mesh (else MESHSIM_ADMIN, else the run file)',
  )

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer')
  return n
}

/** istioctl's message levels, in any case. */
function level(value: string): 'Info' | 'Warning' | 'Error' {
  const found = (['Info', 'Warning', 'Error'] as const).find(
    (l) => l.toLowerCase() === value.toLowerCase(),
  )
  if (!found) throw new InvalidArgumentError('must be one of Info, Warning, Error')
  return found
}

function nonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('must be 0 or a positive integer')
  return n
}

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
    .enablePositionalOptions()
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
    .command('analyze')
    .description(
      "analyze Istio configuration and print istioctl's validation messages (IST0101...): of a topology file, with resource files applied over --context, or of the running mesh",
    )
    .argument(
      '[file...]',
      'a topology file, and resource files to apply over its --context cluster',
    )
    .option('--context <cluster>', 'analyze this cluster only (default: every cluster)')
    .option('-n, --namespace <ns>', 'report on this namespace only (default: every namespace)')
    .option('-A, --all-namespaces', 'report on every namespace (the default)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['log', 'json', 'yaml'])
        .default('log'),
    )
    .option(
      '--output-threshold <level>',
      'lowest level shown: Info, Warning or Error',
      level,
      'Info',
    )
    .option(
      '--failure-threshold <level>',
      'lowest level that exits 79: Info, Warning or Error',
      level,
      'Error',
    )
    .addOption(adminOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing at the failure threshold, 79 something, 64 bad usage, 65 invalid files, 66 an unreadable file, 1 no running mesh.',
    )
    .action(async (files: string[], opts: AnalyzeOptions) => {
      const { analyzeCommand } = await import('./commands/analyze.ts')
      setExit(await analyzeCommand(files, opts, io))
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

  program
    .command('up')
    .description('start the mesh a topology describes and log its traffic until Ctrl-C')
    .argument('<file>', 'topology file, e.g. examples/two-networks.yaml')
    .option(
      '--admin <host:port>',
      'where the admin API listens (127.0.0.1:0 for any free port)',
      '127.0.0.1:15000',
    )
    .option(
      '--connect-timeout <ms>',
      "upstream connect timeout (Istio's meshConfig.connectTimeout)",
      positiveInt,
    )
    .option(
      '--pod-threads <n>',
      'threads the pods run on (default: one per pod; 0: all on the main thread)',
      nonNegativeInt,
    )
    .addOption(
      new Option('-o, --output <format>', 'line format').choices(['text', 'json']).default('text'),
    )
    .option('--tui', 'open the interactive TUI even when not on a terminal or in CI')
    .option('--no-tui', 'print access-log lines instead of opening the TUI on a terminal')
    .action(
      async (
        file: string,
        opts: {
          admin: string
          connectTimeout?: number
          podThreads?: number
          output: 'text' | 'json'
          tui?: boolean
        },
      ) => {
        const { upCommand } = await import('./commands/up.ts')
        setExit(await upCommand(file, opts, io))
      },
    )

  program
    .command('exec')
    .description(
      "run a command with its traffic leaving from a pod's sidecar (http_proxy, ALL_PROXY)",
    )
    .argument('<pod>', 'CLUSTER/NAMESPACE/NAME, e.g. cluster1/sample/sleep')
    .argument('<command...>', 'the command, after --')
    .addOption(adminOption())
    .passThroughOptions()
    .action(async (pod: string, command: string[], opts: { admin?: string }) => {
      const { execCommand } = await import('./commands/exec.ts')
      setExit(await execCommand(pod, command, opts, io))
    })

  program
    .command('curl')
    .description('send HTTP requests from a pod through its sidecar')
    .argument('<url>', 'e.g. http://helloworld.sample:5000/hello')
    .requiredOption('--from <pod>', 'CLUSTER/NAMESPACE/NAME of the calling pod')
    .option('-n, --count <n>', 'number of requests', positiveInt, 1)
    .option('-X, --request <method>', 'HTTP method', 'GET')
    .option(
      '-H, --header <header>',
      'extra header, repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(adminOption())
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(
      async (
        url: string,
        opts: {
          from: string
          count: number
          request: string
          header: string[]
          admin?: string
          output: 'text' | 'json'
        },
      ) => {
        const { curlCommand } = await import('./commands/curl.ts')
        setExit(
          await curlCommand(
            url,
            {
              from: opts.from,
              count: opts.count,
              method: opts.request.toUpperCase(),
              header: opts.header,
              output: opts.output,
              ...(opts.admin ? { admin: opts.admin } : {}),
            },
            io,
          ),
        )
      },
    )

  for (const action of ['apply', 'delete'] as const) {
    program
      .command(action)
      .description(
        action === 'apply'
          ? "apply resources to a cluster of the running mesh, as kubectl apply: Istio's networking kinds, remote secrets, the istio ConfigMap, Namespaces, Services, ServiceAccounts and Deployments of the samples"
          : 'delete the resources a file names from a cluster of the running mesh, as kubectl delete',
      )
      .option(
        '-f, --filename <file>',
        'YAML file, folder, or - for standard input; repeatable',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option('--context <cluster>', 'the cluster to act on')
      .option('-n, --namespace <ns>', 'namespace for documents that name none')
      .addOption(adminOption())
      .addOption(
        new Option('-o, --output <format>', 'output format')
          .choices(['text', 'json'])
          .default('text'),
      )
      .action(
        async (opts: {
          filename: string[]
          context?: string
          namespace?: string
          admin?: string
          output: 'text' | 'json'
        }) => {
          const { applyCommand } = await import('./commands/apply.ts')
          setExit(await applyCommand(action, opts, io))
        },
      )
  }

  program
    .command('rollout')
    .description('manage rollouts, as kubectl rollout')
    .command('restart')
    .description('restart a Deployment (new pods, new IPs): deployment/istiod in istio-system')
    .argument('<resource>', 'deployment/NAME')
    .option('--context <cluster>', 'the cluster to act on')
    .option('-n, --namespace <ns>', 'namespace of the Deployment', 'default')
    .addOption(adminOption())
    .action(
      async (resource: string, opts: { context?: string; namespace: string; admin?: string }) => {
        const { rolloutRestartCommand } = await import('./commands/operations.ts')
        setExit(await rolloutRestartCommand(resource, opts, io))
      },
    )

  const output = (choices: readonly string[], fallback: string) =>
    new Option('-o, --output <format>', 'output format').choices([...choices]).default(fallback)

  const pc = program
    .command('proxy-config')
    .alias('pc')
    .description("show a proxy's configuration as istioctl proxy-config does")
  for (const [kind, aliases] of [
    ['clusters', ['cluster', 'c']],
    ['endpoints', ['endpoint', 'ep']],
    ['listeners', ['listener', 'l']],
    ['routes', ['route', 'r']],
    ['secret', ['secrets', 's']],
  ] as const) {
    pc.command(kind)
      .aliases([...aliases])
      .description(`${kind} of the proxy of POD[.NAMESPACE]`)
      .argument('<pod>', 'POD[.NAMESPACE]: a pod name, or its app (sleep.sample)')
      .option('--context <cluster>', 'the cluster of the pod')
      .addOption(output(['short', 'json', 'yaml'], 'short'))
      .addOption(adminOption())
      .action(
        async (
          pod: string,
          opts: { context?: string; output: 'short' | 'json' | 'yaml'; admin?: string },
        ) => {
          const { proxyConfigCommand } = await import('./commands/inspect.ts')
          setExit(await proxyConfigCommand(kind, pod, opts, io))
        },
      )
  }

  program
    .command('proxy-status')
    .alias('ps')
    .description(
      "each proxy and whether it runs its istiod's latest config (SYNCED, STALE, NOT SENT)",
    )
    .option('--context <cluster>', 'only proxies of this cluster')
    .addOption(output(['short', 'json', 'yaml'], 'short'))
    .addOption(adminOption())
    .action(
      async (opts: { context?: string; output: 'short' | 'json' | 'yaml'; admin?: string }) => {
        const { proxyStatusCommand } = await import('./commands/inspect.ts')
        setExit(await proxyStatusCommand(opts, io))
      },
    )

  program
    .command('remote-clusters')
    .description("each primary's istiod and the clusters it watches (synced, or why not)")
    .option('--context <cluster>', "only this primary's view")
    .addOption(output(['short', 'json', 'yaml'], 'short'))
    .addOption(adminOption())
    .action(
      async (opts: { context?: string; output: 'short' | 'json' | 'yaml'; admin?: string }) => {
        const { remoteClustersCommand } = await import('./commands/inspect.ts')
        setExit(await remoteClustersCommand(opts, io))
      },
    )

  program
    .command('get')
    .description(
      'list pods, services, gateways, serviceentries, virtualservices, destinationrules, as kubectl get',
    )
    .argument(
      '<resource>',
      'pods, services, gateways, serviceentries, virtualservices, destinationrules, deployments, namespaces',
    )
    .option('--context <cluster>', 'one cluster (default: all, with a CLUSTER column)')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .option('-A, --all-namespaces', 'every namespace')
    .addOption(output(['short', 'wide', 'json', 'yaml'], 'short'))
    .addOption(adminOption())
    .action(
      async (
        resource: string,
        opts: {
          context?: string
          namespace?: string
          allNamespaces?: boolean
          output: 'short' | 'wide' | 'json' | 'yaml'
          admin?: string
        },
      ) => {
        const { getCommand } = await import('./commands/inspect.ts')
        setExit(await getCommand(resource, opts, io))
      },
    )

  program
    .command('logs')
    .description("a proxy's access log (Envoy's format), as kubectl logs POD -c istio-proxy")
    .argument('<pod>', 'POD[.NAMESPACE]')
    .option('--context <cluster>', 'the cluster of the pod')
    .option('-f, --follow', 'keep printing new lines')
    .addOption(output(['short', 'json'], 'short'))
    .addOption(adminOption())
    .action(
      async (
        pod: string,
        opts: { context?: string; follow?: boolean; output: 'short' | 'json'; admin?: string },
      ) => {
        const { logsCommand } = await import('./commands/inspect.ts')
        setExit(await logsCommand(pod, opts, io))
      },
    )

  const x = program.command('x').description('experimental commands, as istioctl x')
  x.command('describe')
    .description('what applies to a pod or a Service, in words, as istioctl x describe')
    .argument('<what>', 'pod or service')
    .argument('<name>', 'NAME[.NAMESPACE]')
    .option('--context <cluster>', 'the cluster')
    .addOption(output(['short', 'json', 'yaml'], 'short'))
    .addOption(adminOption())
    .action(
      async (
        what: string,
        name: string,
        opts: { context?: string; output: 'short' | 'json' | 'yaml'; admin?: string },
      ) => {
        const kind =
          what === 'po' || what === 'pod'
            ? 'pod'
            : what === 'svc' || what === 'service'
              ? 'service'
              : undefined
        if (!kind) {
          io.stderr.write(`meshsim x describe: describe pod or service, not ${what}\n`)
          setExit(ExitCode.Usage)
          return
        }
        const { describeCommand } = await import('./commands/inspect.ts')
        setExit(await describeCommand(kind, name, opts, io))
      },
    )
  x.command('create-remote-secret')
    .description(
      'print the Secret that lets a primary watch this cluster (apply it with meshsim apply -f - --context PRIMARY)',
    )
    .option('--context <cluster>', 'the cluster to make the secret for')
    .option('--name <name>', 'the cluster name the secret carries (default: the context)')
    .addOption(adminOption())
    .action(async (opts: { context?: string; name?: string; admin?: string }) => {
      const { createRemoteSecretCommand } = await import('./commands/operations.ts')
      setExit(await createRemoteSecretCommand(opts, io))
    })

  program
    .command('install')
    .description(
      "change a running cluster's install values, as istioctl install --set (values.global.remotePilotAddress)",
    )
    .option('--context <cluster>', 'the cluster to act on')
    .option(
      '--set <key=value>',
      'an install value; repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(adminOption())
    .action(async (opts: { context?: string; set: string[]; admin?: string }) => {
      const { installCommand } = await import('./commands/operations.ts')
      setExit(await installCommand(opts, io))
    })

  return program
}

/** Runs the CLI on argv (without node and script) and resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = ExitCode.Ok
  const program = buildProgram(io, (c) => {
    code = c
  })
  const override = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput(program.configureOutput())
      override(sub)
    }
  }
  override(program)
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
