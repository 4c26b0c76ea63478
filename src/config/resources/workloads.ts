// Checks and conversions of the workload kinds, as the API server and Istio's injector see them:
// a Deployment's selector must match its pod labels, its image must be one of Istio's samples
// (meshsim runs the built-in app it stands for), and a Service's ports select Istio's protocol.

import {
  type Deployment,
  type KubeNamespace,
  type KubeService,
  type KubeServiceAccount,
  type ObjectMeta,
  type SampleApp,
  type ServicePort,
  selectProtocol,
} from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import type { Report } from './report.ts'
import type {
  DeploymentInput,
  KubeServiceInput,
  NamespaceInput,
  ServiceAccountInput,
} from './schema-workloads.ts'

/** Istio's sample images (any registry and tag) and the built-in app each stands for. */
const SAMPLE_IMAGES: readonly [RegExp, SampleApp][] = [
  [/(^|\/)istio\/examples-helloworld-v\d+(:|@|$)/, 'helloworld'],
  [/(^|\/)(curlimages\/curl|governmentpaas\/curl-ssl|pstauffer\/curl|istio\/curl)(:|@|$)/, 'sleep'],
  [/(^|\/)(kennethreitz\/httpbin|mccutchen\/go-httpbin|citizenstig\/httpbin)(:|@|$)/, 'httpbin'],
  [/(^|\/)istio\/tcp-echo-server(:|@|$)/, 'tcp-echo'],
]

export function sampleOfImage(image: string): SampleApp | undefined {
  return SAMPLE_IMAGES.find(([re]) => re.test(image))?.[1]
}

/** The app container: the first one that is not Istio's proxy. */
const appContainer = (d: DeploymentInput) =>
  d.spec.template.spec.containers.find((c) => c.name !== 'istio-proxy') ??
  d.spec.template.spec.containers[0]

export function checkNamespace(_n: NamespaceInput, _ns: string, _r: Report): void {}

export function toNamespace(n: NamespaceInput, metadata: ObjectMeta): KubeNamespace {
  const labels = n.metadata.labels ?? {}
  return {
    kind: 'Namespace',
    metadata,
    injection: labels['istio-injection'] === 'enabled' || labels['istio.io/rev'] !== undefined,
  }
}

export function checkServiceAccount(_s: ServiceAccountInput, _ns: string, _r: Report): void {}

export function toServiceAccount(
  _s: ServiceAccountInput,
  metadata: ObjectMeta,
): KubeServiceAccount {
  return { kind: 'ServiceAccount', metadata }
}

export function checkService(s: KubeServiceInput, _ns: string, r: Report): void {
  const seen = new Set<string>()
  s.spec.ports.forEach((p, i) => {
    if (s.spec.ports.length > 1 && !p.name)
      r.error(
        ProblemCode.MissingField,
        ['spec', 'ports', i, 'name'],
        'ports of a multi-port Service must be named',
      )
    if (p.name && seen.has(p.name))
      r.error(
        ProblemCode.Duplicate,
        ['spec', 'ports', i, 'name'],
        `port name "${p.name}" is used twice`,
      )
    if (p.name) seen.add(p.name)
    if (typeof p.targetPort === 'string')
      r.warn(
        ProblemCode.NotEmulated,
        ['spec', 'ports', i, 'targetPort'],
        `a named targetPort (${p.targetPort}) is read as the port number ${p.port}`,
      )
  })
  if (s.spec.type && s.spec.type !== 'ClusterIP')
    r.warn(
      ProblemCode.NotEmulated,
      ['spec', 'type'],
      `Service type ${s.spec.type} is served as a ClusterIP Service; meshsim has no node ports or load balancers`,
    )
  if (!s.spec.selector)
    r.warn(
      ProblemCode.NotEmulated,
      ['spec'],
      'a Service without a selector has no endpoints in meshsim',
    )
}

export function toService(s: KubeServiceInput, metadata: ObjectMeta): KubeService {
  const ports: ServicePort[] = s.spec.ports.map((p) => {
    const name = p.name ?? ''
    const protocol = p.protocol === 'UDP' ? ('UDP' as const) : ('TCP' as const)
    return {
      name,
      port: p.port,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      protocol: selectProtocol({
        name,
        port: p.port,
        protocol,
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      }),
    }
  })
  const ip = s.spec.clusterIP
  return {
    kind: 'Service',
    metadata,
    selector: s.spec.selector ?? {},
    ports,
    ...(ip && ip !== 'None' ? { clusterIP: ip } : {}),
  }
}

export function checkDeployment(d: DeploymentInput, _ns: string, r: Report): void {
  const labels = d.spec.template.metadata?.labels ?? {}
  const match = d.spec.selector.matchLabels ?? {}
  if (Object.keys(match).length === 0)
    r.error(
      ProblemCode.MissingField,
      ['spec', 'selector', 'matchLabels'],
      'a Deployment selects its pods by matchLabels; it has none',
    )
  else if (Object.entries(match).some(([k, v]) => labels[k] !== v))
    r.error(
      ProblemCode.BadValue,
      ['spec', 'template', 'metadata', 'labels'],
      '`selector` does not match template `labels`',
    )
  const c = appContainer(d)
  if (c && sampleOfImage(c.image) === undefined)
    r.error(
      ProblemCode.BadValue,
      [
        'spec',
        'template',
        'spec',
        'containers',
        d.spec.template.spec.containers.indexOf(c),
        'image',
      ],
      `meshsim runs only Istio's sample images (istio/examples-helloworld-v1/v2, curlimages/curl for sleep, kennethreitz/httpbin, istio/tcp-echo-server), not ${c.image}`,
    )
  if (d.spec.template.spec.containers.length > 1)
    r.warn(
      ProblemCode.NotEmulated,
      ['spec', 'template', 'spec', 'containers'],
      `only the app container ${c?.name} runs; meshsim adds the sidecar itself`,
    )
}

export function toDeployment(d: DeploymentInput, metadata: ObjectMeta): Deployment {
  const c = appContainer(d)
  const annotation = d.spec.template.metadata?.annotations?.['sidecar.istio.io/inject']
  return {
    kind: 'Deployment',
    metadata,
    replicas: d.spec.replicas ?? 1,
    podLabels: d.spec.template.metadata?.labels ?? {},
    serviceAccount: d.spec.template.spec.serviceAccountName ?? 'default',
    sample: (c && sampleOfImage(c.image)) ?? 'sleep',
    image: c?.image ?? '',
    containerPorts: (c?.ports ?? []).map((p) => p.containerPort),
    ...(annotation === undefined ? {} : { inject: annotation === 'true' }),
    template: JSON.stringify(d.spec.template),
  }
}
