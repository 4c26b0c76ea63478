// ConfigMaps, and the one istiod reads: istio-system/istio, whose `mesh` key is meshConfig and
// whose `meshNetworks` key is meshNetworks, both YAML inside a string (as `kubectl edit
// configmap istio -n istio-system` shows them). istiod reloads both when they change.

import { parse } from 'yaml'
import { z } from 'zod'
import {
  type ConfigMap,
  clusterId,
  type MeshConfig,
  type MeshNetwork,
  type ObjectMeta,
} from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { MeshNetworkSchema } from '../schema.ts'
import type { Report } from './report.ts'
import type { ConfigMapInput } from './schema-kube.ts'
import { notEmulated } from './values.ts'

const ServiceSettingsSchema = z.array(
  z.strictObject({
    hosts: z.array(z.string().min(1)).min(1, 'serviceSettings[].hosts needs at least one host'),
    settings: z.strictObject({ clusterLocal: z.boolean().optional() }),
  }),
)

const MeshNetworksSchema = z.strictObject({
  networks: z.record(z.string(), MeshNetworkSchema),
})

const isIstio = (ns: string, name: string) => ns === 'istio-system' && name === 'istio'

/** A YAML string's value, or the first line of why it is not YAML. */
function yamlOf(text: string): { value: unknown } | { problem: string } {
  try {
    return { value: parse(text, { maxAliasCount: 10 }) ?? {} }
  } catch (err) {
    return { problem: (err as Error).message.split('\n')[0] ?? 'not YAML' }
  }
}

function meshConfigOf(text: string, r: Report | undefined): MeshConfig | undefined {
  const y = yamlOf(text)
  if ('problem' in y) {
    r?.error(ProblemCode.Syntax, ['data', 'mesh'], `data.mesh is not YAML: ${y.problem}`)
    return undefined
  }
  if (typeof y.value !== 'object' || y.value === null || Array.isArray(y.value)) {
    r?.error(
      ProblemCode.WrongType,
      ['data', 'mesh'],
      'data.mesh must be a YAML mapping (meshConfig)',
    )
    return undefined
  }
  const fields = y.value as Record<string, unknown>
  let out: MeshConfig = {}
  for (const [k, v] of Object.entries(fields)) {
    if (k !== 'serviceSettings') {
      if (r) notEmulated(r, ['data', 'mesh'], `meshConfig.${k}`)
      continue
    }
    const parsed = ServiceSettingsSchema.safeParse(v)
    if (!parsed.success) {
      r?.error(
        ProblemCode.BadValue,
        ['data', 'mesh'],
        `meshConfig.serviceSettings: ${parsed.error.issues[0]?.message ?? 'invalid'} (each entry has hosts and settings.clusterLocal)`,
      )
      continue
    }
    out = { ...out, serviceSettings: parsed.data }
  }
  return out
}

function meshNetworksOf(
  text: string,
  r: Report | undefined,
): Readonly<Record<string, MeshNetwork>> | undefined {
  const y = yamlOf(text)
  if ('problem' in y) {
    r?.error(
      ProblemCode.Syntax,
      ['data', 'meshNetworks'],
      `data.meshNetworks is not YAML: ${y.problem}`,
    )
    return undefined
  }
  const parsed = MeshNetworksSchema.safeParse(y.value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    r?.error(
      ProblemCode.BadValue,
      ['data', 'meshNetworks'],
      `data.meshNetworks${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'} (expected networks: {NAME: {endpoints: [...], gateways: [...]}})`,
    )
    return undefined
  }
  return Object.fromEntries(
    Object.entries(parsed.data.networks).map(([name, net]) => [
      name,
      {
        endpoints: net.endpoints.map((e) =>
          'fromRegistry' in e ? { fromRegistry: clusterId(e.fromRegistry) } : e,
        ),
        gateways: net.gateways,
      },
    ]),
  )
}

export function checkConfigMap(c: ConfigMapInput, ns: string, r: Report): void {
  if (!isIstio(ns, c.metadata.name)) return
  if (c.data?.mesh !== undefined) meshConfigOf(c.data.mesh, r)
  if (c.data?.meshNetworks !== undefined) meshNetworksOf(c.data.meshNetworks, r)
}

export function toConfigMap(c: ConfigMapInput, metadata: ObjectMeta): ConfigMap {
  const data = c.data ?? {}
  const istio = isIstio(metadata.namespace, metadata.name)
  const meshConfig =
    istio && data.mesh !== undefined ? meshConfigOf(data.mesh, undefined) : undefined
  const meshNetworks =
    istio && data.meshNetworks !== undefined
      ? meshNetworksOf(data.meshNetworks, undefined)
      : undefined
  return {
    kind: 'ConfigMap',
    metadata,
    data,
    ...(meshConfig ? { meshConfig } : {}),
    ...(meshNetworks ? { meshNetworks } : {}),
  }
}
