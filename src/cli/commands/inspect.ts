// istioctl- and kubectl-shaped inspection of the running mesh, all through the admin API:
// `pc clusters|endpoints|listeners|routes|secret POD[.NS]`, `proxy-status`, `remote-clusters`,
// `get pods|services|...` and `logs POD [-f]`. Tables by default; `-o json|yaml` prints the
// admin API's bodies (their schemas are the contract).

import { stringify } from 'yaml'
import type { IstioResource } from '../../model/index.ts'
import {
  type AccessRecord,
  formatAccessLog,
  type PodDescription,
  type ProxyDump,
  type ServiceDescription,
} from '../../runtime/index.ts'
import { ExitCode, type Io } from '../io.ts'
import { adminUrl, findPod, getJson, MeshUnreachable, type PodInfo } from '../mesh-client.ts'
import { describePodText, describeServiceText } from '../render/describe.ts'
import {
  byteOrder,
  clustersTable,
  endpointsTable,
  listenersTable,
  routesTable,
  secretsTable,
} from '../render/envoy.ts'
import { table } from '../render/table.ts'

export type Output = 'short' | 'wide' | 'json' | 'yaml'

export interface InspectOptions {
  readonly context?: string
  readonly admin?: string
  readonly output: Output
}

/** Runs `body` against the admin API, turning an unreachable mesh into a message and exit 1. */
async function withMesh(
  name: string,
  io: Io,
  admin: string | undefined,
  body: (base: string) => Promise<number>,
) {
  try {
    return await body(adminUrl(admin))
  } catch (err) {
    if (err instanceof MeshUnreachable) {
      io.stderr.write(`meshsim ${name}: ${err.message}\n`)
      return ExitCode.Error
    }
    throw err
  }
}

/** The pods `POD[.NAMESPACE]` names (a pod name or its app), in `context` when given. */
async function podsNamed(
  base: string,
  ref: string,
  context: string | undefined,
): Promise<PodInfo[]> {
  const [name = '', ns] = ref.split('.')
  const { items } = await getJson<{ items: PodInfo[] }>(base, '/api/v1/pods')
  return items.filter(
    (p) =>
      (context === undefined || p.cluster === context) &&
      (ns === undefined || p.namespace === ns) &&
      (p.name === name || findPod([p], `${p.cluster}/${p.namespace}/${name}`) !== undefined),
  )
}

function print(io: Io, output: Output, data: unknown, text: () => string): void {
  if (output === 'json') io.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
  else if (output === 'yaml') io.stdout.write(stringify(data))
  else io.stdout.write(text())
}

export type ProxyConfigKind = 'clusters' | 'endpoints' | 'listeners' | 'routes' | 'secret'

export async function proxyConfigCommand(
  kind: ProxyConfigKind,
  ref: string,
  opts: InspectOptions,
  io: Io,
): Promise<number> {
  return withMesh(`proxy-config ${kind}`, io, opts.admin, async (base) => {
    const candidates = await podsNamed(base, ref, opts.context)
    const pod = candidates[0]
    if (!pod) {
      io.stderr.write(
        `meshsim proxy-config: no pod ${ref}${opts.context ? ` in ${opts.context}` : ''}; name it POD[.NAMESPACE] with --context CLUSTER\n`,
      )
      return ExitCode.Usage
    }
    if (candidates.some((p) => p.cluster !== pod.cluster) && opts.context === undefined) {
      io.stderr.write(
        `meshsim proxy-config: ${ref} is in several clusters; pass --context CLUSTER\n`,
      )
      return ExitCode.Usage
    }
    const path = `/api/v1/proxies/${pod.cluster}/${pod.namespace}/${pod.name}`
    const dump = await getJson<ProxyDump>(base, path)
    const config = dump.config
    if (!config && kind !== 'secret') {
      io.stderr.write(
        `meshsim proxy-config: ${pod.name}.${pod.namespace} has no config yet (NOT SENT)\n`,
      )
      return ExitCode.Error
    }
    const render = {
      clusters: () => (config ? clustersTable(config) : ''),
      endpoints: () => (config ? endpointsTable(config, dump.ejected) : ''),
      listeners: () => (config ? listenersTable(config, dump.node.ip) : ''),
      routes: () => (config ? routesTable(config) : ''),
      secret: () => secretsTable(dump),
    }[kind]
    const data = {
      clusters: config?.clusters,
      endpoints: config?.endpoints,
      listeners: config?.listeners,
      routes: config?.routes,
      secret: dump.secrets,
    }[kind]
    print(io, opts.output, data, render)
    return ExitCode.Ok
  })
}

interface ProxyStatusItem {
  readonly cluster: string
  readonly namespace: string
  readonly pod: string
  readonly type: 'sidecar' | 'router'
  readonly status: string
  readonly istiod: string
  readonly istioVersion: string
  readonly detail?: string
}

export async function proxyStatusCommand(opts: InspectOptions, io: Io): Promise<number> {
  return withMesh('proxy-status', io, opts.admin, async (base) => {
    const body = await getJson<{ items: ProxyStatusItem[] }>(base, '/api/v1/proxy-status')
    const items = body.items
      .filter((s) => opts.context === undefined || s.cluster === opts.context)
      .sort(
        (a, b) =>
          byteOrder(a.cluster, b.cluster) ||
          byteOrder(`${a.pod}.${a.namespace}`, `${b.pod}.${b.namespace}`),
      )
    print(io, opts.output, { items }, () =>
      table(
        ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
        items.map((s) => [
          `${s.pod}.${s.namespace}`,
          s.cluster,
          s.status,
          s.status,
          s.status,
          // Gateways without HTTP servers never ask for routes.
          s.type === 'router' ? 'IGNORED' : s.status,
          'IGNORED',
          s.istiod,
          s.istioVersion,
        ]),
      ),
    )
    return ExitCode.Ok
  })
}

interface RemoteClusterItem {
  readonly cluster: string
  readonly istiod: string
  readonly name: string
  readonly secret: string
  readonly status: string
}

export async function remoteClustersCommand(opts: InspectOptions, io: Io): Promise<number> {
  return withMesh('remote-clusters', io, opts.admin, async (base) => {
    const body = await getJson<{ items: RemoteClusterItem[] }>(base, '/api/v1/remote-clusters')
    const items = body.items.filter((r) => opts.context === undefined || r.cluster === opts.context)
    print(io, opts.output, { items }, () =>
      table(
        ['NAME', 'SECRET', 'STATUS', 'ISTIOD'],
        items.map((r) => [r.name, r.secret, r.status, r.istiod]),
      ),
    )
    return ExitCode.Ok
  })
}

/** kubectl's resource names and aliases, to the kinds meshsim holds. */
const RESOURCES: Readonly<Record<string, IstioResource['kind'] | 'pods'>> = {
  pods: 'pods',
  pod: 'pods',
  po: 'pods',
  services: 'Service',
  service: 'Service',
  svc: 'Service',
  gateways: 'Gateway',
  gateway: 'Gateway',
  gw: 'Gateway',
  serviceentries: 'ServiceEntry',
  serviceentry: 'ServiceEntry',
  se: 'ServiceEntry',
  virtualservices: 'VirtualService',
  virtualservice: 'VirtualService',
  vs: 'VirtualService',
  destinationrules: 'DestinationRule',
  destinationrule: 'DestinationRule',
  dr: 'DestinationRule',
  deployments: 'Deployment',
  deployment: 'Deployment',
  deploy: 'Deployment',
  namespaces: 'Namespace',
  namespace: 'Namespace',
  ns: 'Namespace',
}

export interface GetOptions extends InspectOptions {
  readonly namespace?: string
  readonly allNamespaces?: boolean
}

interface ServiceInfo {
  readonly cluster: string
  readonly namespace: string
  readonly name: string
  readonly clusterIP: string
  readonly ports: readonly { readonly port: number; readonly protocol?: string }[]
}

export async function getCommand(resource: string, opts: GetOptions, io: Io): Promise<number> {
  const kind = RESOURCES[resource.toLowerCase()]
  if (!kind) {
    io.stderr.write(
      `meshsim get: unknown resource type "${resource}"; use pods, services, gateways, serviceentries, virtualservices, destinationrules, deployments or namespaces\n`,
    )
    return ExitCode.Usage
  }
  const nsWanted = (ns: string) => opts.allNamespaces || ns === (opts.namespace ?? 'default')
  return withMesh('get', io, opts.admin, async (base) => {
    const multi = opts.context === undefined
    const lead = (cluster: string, ns: string) => [
      ...(multi ? [cluster] : []),
      ...(opts.allNamespaces ? [ns] : []),
    ]
    const leadHead = [...(multi ? ['CLUSTER'] : []), ...(opts.allNamespaces ? ['NAMESPACE'] : [])]
    if (kind === 'pods') {
      const { items } = await getJson<{ items: (PodInfo & { capturePort?: number })[] }>(
        base,
        '/api/v1/pods',
      )
      const pods = items.filter(
        (p) => (opts.context === undefined || p.cluster === opts.context) && nsWanted(p.namespace),
      )
      print(io, opts.output, { items: pods }, () =>
        table(
          [
            ...leadHead,
            'NAME',
            'READY',
            'STATUS',
            'RESTARTS',
            ...(opts.output === 'wide' ? ['IP', 'NETWORK'] : []),
          ],
          pods.map((p) => [
            ...lead(p.cluster, p.namespace),
            p.name,
            p.capturePort ? '2/2' : '1/1',
            'Running',
            '0',
            ...(opts.output === 'wide' ? [p.ip, p.network] : []),
          ]),
        ),
      )
      return ExitCode.Ok
    }
    const { clusters } = await getJson<{ clusters: { name: string }[] }>(base, '/api/v1/mesh')
    const names = clusters
      .map((c) => c.name)
      .filter((c) => opts.context === undefined || c === opts.context)
    const found: (IstioResource & { cluster: string })[] = []
    for (const cluster of names) {
      const { items } = await getJson<{ items: IstioResource[] }>(
        base,
        `/api/v1/clusters/${cluster}/resources?kind=${kind}`,
      )
      for (const r of items) {
        if (kind === 'Namespace' || nsWanted(r.metadata.namespace)) found.push({ ...r, cluster })
      }
    }
    if (kind === 'Service') {
      const { items } = await getJson<{ items: ServiceInfo[] }>(base, '/api/v1/services')
      const services = items.filter(
        (s) => (opts.context === undefined || s.cluster === opts.context) && nsWanted(s.namespace),
      )
      print(io, opts.output, { items: services }, () =>
        table(
          [...leadHead, 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
          services.map((s) => [
            ...lead(s.cluster, s.namespace),
            s.name,
            'ClusterIP',
            s.clusterIP,
            '<none>',
            s.ports.map((p) => `${p.port}/${p.protocol === 'UDP' ? 'UDP' : 'TCP'}`).join(','),
          ]),
        ),
      )
      return ExitCode.Ok
    }
    print(io, opts.output, { items: found }, () => {
      const extra = (r: IstioResource): string[] => {
        switch (r.kind) {
          case 'VirtualService':
            return [JSON.stringify(r.spec.gateways ?? []), JSON.stringify(r.spec.hosts)]
          case 'DestinationRule':
            return [r.spec.host]
          case 'ServiceEntry':
            return [
              JSON.stringify(r.spec.hosts),
              r.spec.location ?? '',
              r.spec.resolution ?? 'NONE',
            ]
          default:
            return []
        }
      }
      const head =
        {
          VirtualService: ['GATEWAYS', 'HOSTS'],
          DestinationRule: ['HOST'],
          ServiceEntry: ['HOSTS', 'LOCATION', 'RESOLUTION'],
        }[kind as string] ?? []
      return table(
        [...leadHead, 'NAME', ...head],
        found.map((r) => [...lead(r.cluster, r.metadata.namespace), r.metadata.name, ...extra(r)]),
      )
    })
    return ExitCode.Ok
  })
}

export async function logsCommand(
  ref: string,
  opts: InspectOptions & { readonly follow?: boolean },
  io: Io,
): Promise<number> {
  return withMesh('logs', io, opts.admin, async (base) => {
    const [pod] = await podsNamed(base, ref, opts.context)
    if (!pod) {
      io.stderr.write(
        `meshsim logs: no pod ${ref}; name it POD[.NAMESPACE] with --context CLUSTER\n`,
      )
      return ExitCode.Usage
    }
    const query = `cluster=${pod.cluster}&namespace=${pod.namespace}&pod=${pod.name}${opts.follow ? '&follow=true' : ''}`
    let res: Response
    try {
      res = await fetch(`${base}/api/v1/records?${query}`)
    } catch {
      throw new MeshUnreachable(`cannot reach the mesh admin API at ${base}`)
    }
    if (!res.body) return ExitCode.Error
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of res.body) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true })
      let nl = pending.indexOf('\n')
      while (nl >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        const r = JSON.parse(line) as AccessRecord
        io.stdout.write(
          opts.output === 'json'
            ? `${line}\n`
            : `${formatAccessLog({ ...r, startTime: new Date(r.startTime) })}\n`,
        )
        nl = pending.indexOf('\n')
      }
    }
    return ExitCode.Ok
  })
}

/** `x describe pod|service NAME[.NS]`: in words, what applies to a pod or a Service. */
export async function describeCommand(
  what: 'pod' | 'service',
  ref: string,
  opts: InspectOptions,
  io: Io,
): Promise<number> {
  const [name = '', ns] = ref.split('.')
  return withMesh('x describe', io, opts.admin, async (base) => {
    if (what === 'pod') {
      const [pod] = await podsNamed(base, ref, opts.context)
      if (!pod) {
        io.stderr.write(
          `meshsim x describe: no pod ${ref}; name it POD[.NAMESPACE] with --context CLUSTER\n`,
        )
        return ExitCode.Usage
      }
      const d = await getJson<PodDescription>(
        base,
        `/api/v1/describe/pods/${pod.cluster}/${pod.namespace}/${pod.name}`,
      )
      print(io, opts.output, d, () => describePodText(d))
      return ExitCode.Ok
    }
    const cluster = opts.context
    if (!cluster) {
      io.stderr.write('meshsim x describe service: --context CLUSTER is required\n')
      return ExitCode.Usage
    }
    const path = `/api/v1/describe/services/${cluster}/${ns ?? 'default'}/${name}`
    let d: ServiceDescription
    try {
      d = await getJson<ServiceDescription>(base, path)
    } catch (err) {
      if (err instanceof MeshUnreachable && /answered 404/.test(err.message)) {
        io.stderr.write(`meshsim x describe: no service ${name}.${ns ?? 'default'} in ${cluster}\n`)
        return ExitCode.Usage
      }
      throw err
    }
    print(io, opts.output, d, () => describeServiceText(d))
    return ExitCode.Ok
  })
}
