// A message as an analyzer raises it: its type, the resource it is about, the rendered text and,
// when the resource came from a file, which field is at fault (as istioctl points at a line).

import type { IstioResource } from '../model/index.ts'
import type { MessageType } from './messages.ts'
import type { Origin, ResourceRef } from './types.ts'

export interface Finding {
  readonly type: MessageType
  readonly resource: ResourceRef
  readonly message: string
  readonly origin?: Origin
  /** A key of origin.fields: the field the message is about. */
  readonly field?: string
  /** The resource's annotations (galley.istio.io/analyze-suppress silences codes on it). */
  readonly annotations?: Readonly<Record<string, string>>
}

export function refOf(r: IstioResource, cluster: string): ResourceRef {
  // A Namespace is cluster-scoped: its own name is what it is filed under.
  return r.kind === 'Namespace'
    ? { kind: r.kind, namespace: '', name: r.metadata.name, cluster }
    : { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name, cluster }
}

export function findingOn(
  type: MessageType,
  located: { readonly resource: IstioResource; readonly origin?: Origin | undefined },
  cluster: string,
  message: string,
  field?: string,
): Finding {
  const { resource, origin } = located
  return {
    type,
    resource: refOf(resource, cluster),
    message,
    ...(origin ? { origin } : {}),
    ...(field ? { field } : {}),
    ...(resource.metadata.annotations ? { annotations: resource.metadata.annotations } : {}),
  }
}
