// What a topology amounts to once "deployed": every pod with its name and pod IP, every Service
// with its ClusterIP and host name, per cluster. Pure and deterministic (same topology, same
// names and addresses), so workshops and tests see stable values. Sockets come later.

import { createHash } from 'node:crypto'
import type {
  Cluster,
  ClusterId,
  MeshSpec,
  Namespace,
  NetworkId,
  ServiceAccount,
  ServiceHost,
  ServicePort,
} from '../model/index.ts'
import {
  intToIpv4,
  ipv4ToInt,
  istioAtLeast,
  namespace,
  serviceAccount,
  serviceHost,
} from '../model/index.ts'
import { addGlobalInstall } from './global-install.ts'

export interface Pod {
  readonly cluster: ClusterId
  readonly network: NetworkId
  readonly namespace: Namespace
  /** e.g. `helloworld-v1-86f77cd7bd-cpxhv`, as a Deployment names its pods. */
  readonly name: string
  readonly app: string
  readonly version?: string
  readonly serviceAccount: ServiceAccount
  /** The pod IP, from the cluster's podCIDR. */
  readonly ip: string
  /** All its labels, when it has more than app and version (pods of applied Deployments). */
  readonly labels?: Readonly<Record<string, string>>
}

/** A pod's labels: its own, or the app and version labels of a topology workload. */
export function labelsOf(pod: Pod): Readonly<Record<string, string>> {
  return pod.labels ?? { app: pod.app, ...(pod.version ? { version: pod.version } : {}) }
}

export interface Service {
  readonly cluster: ClusterId
  readonly namespace: Namespace
  readonly name: string
  /** `<name>.<namespace>.svc.cluster.local` */
  readonly host: ServiceHost
  readonly clusterIP: string
  readonly ports: readonly ServicePort[]
  /** The pods it selects; a topology workload's Service selects `app: <name>`. */
  readonly selector?: Readonly<Record<string, string>>
}

/** Whether a Service selects a pod (same namespace, every selector label on the pod). */
export function selects(s: Service, pod: Pod): boolean {
  if (s.namespace !== pod.namespace) return false
  const labels = labelsOf(pod)
  const selector = s.selector ?? { app: s.name }
  const entries = Object.entries(selector)
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v)
}

/** The first free address of a CIDR from .2 on, skipping `taken`. */
export function freeAddress(cidr: string, taken: Iterable<string>): string {
  return allocator(cidr, 2, taken)()
}

/** Pod names of a Deployment's ReplicaSet: `<deployment>-<template hash>-<suffix>`. */
export function replicaSetPodNames(
  cluster: string,
  ns: string,
  deployment: string,
  template: string,
  replicas: number,
): string[] {
  const rs = suffix(`${cluster}/${ns}/${deployment}/${template}`, 10)
  return Array.from(
    { length: replicas },
    (_, i) => `${deployment}-${rs}-${suffix(`${rs}/${i}`, 5)}`,
  )
}

export interface ClusterInventory {
  readonly cluster: ClusterId
  readonly pods: readonly Pod[]
  readonly services: readonly Service[]
}

// Kubernetes' "safe" alphabet for generated names (no vowels, no look-alikes).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

function suffix(seed: string, length: number): string {
  const bytes = createHash('sha256').update(seed).digest()
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) % ALPHABET.length]
  return out
}

/** Hands out addresses of a CIDR in order, skipping the network address and any taken ones. */
function allocator(cidr: string, first: number, taken: Iterable<string> = []): () => string {
  const [base = '0.0.0.0', prefix = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(prefix))
  const start = ipv4ToInt(base) & (size === 2 ** 32 ? 0 : ~(size - 1) >>> 0)
  const used = new Set(taken)
  let next = first
  return () => {
    while (next < size - 1) {
      const ip = intToIpv4((start + next++) >>> 0)
      if (!used.has(ip)) {
        used.add(ip)
        return ip
      }
    }
    // config checks that pods fit their podCIDR, so running out here is a bug.
    throw new Error(`address range ${cidr} is exhausted`)
  }
}

const SYSTEM = namespace('istio-system')

/** The control plane's Deployment: istiod since Istio 1.5, istio-pilot before. */
export const CONTROL_PLANE_APPS: ReadonlySet<string> = new Set(['istiod', 'istio-pilot'])

function inventoryOf(c: Cluster, legacyPilot: boolean): ClusterInventory {
  const podIp = allocator(c.podCIDR, 2)
  const egressIP = c.multiclusterGateways?.egressGateway.clusterIP
  const fixed = [...c.workloads.flatMap((w) => (w.clusterIP ? [w.clusterIP] : [])), egressIP ?? '']
  // Addresses start at .2: .1 is the `kubernetes` Service (and the pod network's gateway).
  const clusterIp = allocator(c.serviceCIDR, 2, fixed)
  const pods: Pod[] = []
  const services: Service[] = []
  const addService = (ns: Namespace, name: string, ports: readonly ServicePort[], ip?: string) => {
    if (services.some((s) => s.namespace === ns && s.name === name)) return
    services.push({
      cluster: c.name,
      namespace: ns,
      name,
      host: serviceHost(`${name}.${ns}.svc.cluster.local`),
      clusterIP: ip ?? clusterIp(),
      ports,
    })
  }
  const addPods = (
    ns: Namespace,
    deployment: string,
    app: string,
    sa: ServiceAccount,
    replicas: number,
    version?: string,
  ) => {
    const rs = suffix(`${c.name}/${ns}/${deployment}`, 10)
    for (let i = 0; i < replicas; i++) {
      pods.push({
        cluster: c.name,
        network: c.network,
        namespace: ns,
        name: `${deployment}-${rs}-${suffix(`${c.name}/${ns}/${deployment}/${i}`, 5)}`,
        app,
        ...(version ? { version } : {}),
        serviceAccount: sa,
        ip: podIp(),
      })
    }
  }

  if (c.controlPlane.mode === 'primary' && !legacyPilot) {
    addPods(SYSTEM, 'istiod', 'istiod', serviceAccount('istiod'), 1)
    addService(SYSTEM, 'istiod', [
      { name: 'grpc-xds', port: 15010, targetPort: 15010, protocol: 'GRPC' },
      { name: 'https-dns', port: 15012, targetPort: 15012, protocol: 'HTTPS' },
      { name: 'https-webhook', port: 443, targetPort: 15017, protocol: 'HTTPS' },
    ])
  }
  if (c.controlPlane.mode === 'primary' && legacyPilot) {
    // Before 1.5 the control plane was several Deployments; pilot is the one proxies talk to.
    addPods(SYSTEM, 'istio-pilot', 'istio-pilot', serviceAccount('istio-pilot-service-account'), 1)
    addService(SYSTEM, 'istio-pilot', [
      { name: 'grpc-xds', port: 15010, targetPort: 15010, protocol: 'GRPC' },
      { name: 'https-xds', port: 15011, targetPort: 15011, protocol: 'HTTPS' },
      { name: 'http-monitoring', port: 15014, targetPort: 15014, protocol: 'HTTP' },
    ])
  }
  if (c.eastWestGateway) {
    const name = c.eastWestGateway.deployment
    const sa = serviceAccount(`${name}-service-account`)
    addPods(SYSTEM, name, name, sa, 1)
    addService(SYSTEM, name, [
      {
        name: 'tls',
        port: c.eastWestGateway.port,
        targetPort: c.eastWestGateway.port,
        protocol: 'TLS',
      },
    ])
  }
  if (c.multiclusterGateways) addGlobalInstall(c, addPods, addService)
  for (const w of c.workloads) {
    addService(
      w.namespace,
      w.app,
      w.ports,
      c.workloads.find((x) => x.namespace === w.namespace && x.app === w.app && x.clusterIP)
        ?.clusterIP,
    )
    const deployment = w.version ? `${w.app}-${w.version}` : w.app
    addPods(w.namespace, deployment, w.app, w.serviceAccount, w.replicas, w.version)
  }
  return { cluster: c.name, pods, services }
}

/**
 * The pod a Deployment's rollout puts in place of `pod`: same ReplicaSet name, a new random-looking
 * suffix, and the first free address of the cluster's podCIDR (`taken` holds the ones in use).
 */
export function replacementPod(
  pod: Pod,
  podCIDR: string,
  taken: Iterable<string>,
  generation: number,
): Pod {
  const base = pod.name.slice(0, pod.name.lastIndexOf('-'))
  return {
    ...pod,
    name: `${base}-${suffix(`${pod.cluster}/${pod.name}/${generation}`, 5)}`,
    ip: allocator(podCIDR, 2, taken)(),
  }
}

/** The pods and Services of every cluster, in topology order. */
export function buildInventory(
  spec: Pick<MeshSpec, 'clusters'> & Partial<Pick<MeshSpec, 'istioVersion'>>,
): readonly ClusterInventory[] {
  const legacyPilot = spec.istioVersion !== undefined && !istioAtLeast(spec.istioVersion, 5)
  return spec.clusters.map((c) => inventoryOf(c, legacyPilot))
}
