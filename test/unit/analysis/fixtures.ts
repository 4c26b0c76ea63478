// Small analysis inputs for the analyzer tests: resources written as YAML-shaped objects (checked
// by src/config like any file's), Services and pods as plain data, one cluster or several.

import type {
  AnalysisInput,
  ClusterInput,
  LocatedResource,
  PodInput,
  ServiceInput,
} from '../../../src/analysis/index.ts'
import { checkResource } from '../../../src/config/index.ts'
import type { IstioResource, ServicePort } from '../../../src/model/index.ts'
import { selectProtocol } from '../../../src/model/index.ts'

const API: Record<string, string> = {
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
}

/** A valid resource from its YAML shape (apiVersion filled in); throws on what config rejects. */
export function res(raw: { kind: string } & Record<string, unknown>): IstioResource {
  const checked = checkResource({ apiVersion: API[raw.kind], ...raw })
  if (!checked.resource) throw new Error(checked.errors.map((e) => e.message).join('; '))
  return checked.resource
}

export const located = (...rs: IstioResource[]): LocatedResource[] =>
  rs.map((resource) => ({ resource }))

export const port = (name: string, n: number, targetPort = n): ServicePort => ({
  name,
  port: n,
  targetPort,
  protocol: selectProtocol({ name, port: n }),
})

export const svc = (
  namespace: string,
  name: string,
  ports = [port('http', 5000)],
): ServiceInput => ({
  namespace,
  name,
  ports,
})

export const pod = (namespace: string, labels: Record<string, string>): PodInput => ({
  namespace,
  labels,
})

/** helloworld v1 and sleep in `sample`, the way a topology workload deploys them. */
export const HELLO_V1 = {
  services: [svc('sample', 'helloworld'), svc('sample', 'sleep', [port('http', 80)])],
  pods: [pod('sample', { app: 'helloworld', version: 'v1' }), pod('sample', { app: 'sleep' })],
}

export function cluster(name: string, parts: Partial<ClusterInput> = {}): ClusterInput {
  return {
    name,
    primary: true,
    discovers: [name],
    remoteSecrets: [],
    resources: [],
    services: [],
    pods: [],
    ...parts,
  }
}

export const mesh = (...clusters: ClusterInput[]): AnalysisInput => ({ clusters })

export const vs = (spec: Record<string, unknown>, name = 'helloworld', namespace = 'sample') =>
  res({ kind: 'VirtualService', metadata: { name, namespace }, spec })

export const dr = (spec: Record<string, unknown>, name = 'helloworld', namespace = 'sample') =>
  res({ kind: 'DestinationRule', metadata: { name, namespace }, spec })

/** `http: [{route: [{destination}]}]` */
export const routeTo = (...destinations: Record<string, unknown>[]) => ({
  http: [{ route: destinations.map((destination) => ({ destination })) }],
})
