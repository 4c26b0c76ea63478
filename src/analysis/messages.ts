// Istio's analysis message types (pkg/config/analysis/msg/messages.yaml): code, level and the
// template, rendered as Go's fmt would (%q quotes a string, %v of a list is `[a b]`).

export type Level = 'Error' | 'Warning' | 'Info'

/** Worst first, as Istio sorts and compares levels (diag/level.go). */
export const LEVELS: readonly Level[] = ['Error', 'Warning', 'Info']

export const levelRank = (l: Level): number => LEVELS.indexOf(l)

/** Whether `level` is at least as severe as `threshold` (IsWorseThanOrEqualTo). */
export const atLeast = (level: Level, threshold: Level): boolean =>
  levelRank(level) <= levelRank(threshold)

export interface MessageType {
  readonly name: string
  readonly code: string
  readonly level: Level
}

/** Go's %q of a string (strconv.Quote); JSON's escaping agrees for what resource names hold. */
export const q = (s: string): string => JSON.stringify(s)
/** Go's %v of a []string. */
const list = (xs: readonly string[]): string => `[${xs.join(' ')}]`
/** Go's %q of a []string. */
const quotedList = (xs: readonly string[]): string => `[${xs.map(q).join(' ')}]`

const type = (name: string, code: string, level: Level): MessageType => ({ name, code, level })

export const ReferencedResourceNotFound = type('ReferencedResourceNotFound', 'IST0101', 'Error')
export const NamespaceNotInjected = type('NamespaceNotInjected', 'IST0102', 'Info')
export const PortNameIsNotUnderNamingConvention = type(
  'PortNameIsNotUnderNamingConvention',
  'IST0118',
  'Info',
)
export const UnknownMeshNetworksServiceRegistry = type(
  'UnknownMeshNetworksServiceRegistry',
  'IST0126',
  'Error',
)
export const VirtualServiceHostNotFoundInGateway = type(
  'VirtualServiceHostNotFoundInGateway',
  'IST0132',
  'Warning',
)
export const MultiClusterInconsistentService = type(
  'MultiClusterInconsistentService',
  'IST0170',
  'Warning',
)
export const DestinationRuleSubsetNotSelectPods = type(
  'DestinationRuleSubsetNotSelectPods',
  'IST0173',
  'Error',
)
export const UnknownDestinationRuleHost = type('UnknownDestinationRuleHost', 'IST0174', 'Warning')

// The templates, word for word.
export const text = {
  referencedResourceNotFound: (reftype: string, refval: string) =>
    `Referenced ${reftype} not found: ${q(refval)}`,
  namespaceNotInjected: (ns: string) =>
    `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns} istio-injection=enabled' to enable it, or 'kubectl label namespace ${ns} istio-injection=disabled' to explicitly mark it as not needing injection.`,
  portNameIsNotUnderNamingConvention: (portName: string, port: number, targetPort: string) =>
    `Port name ${portName} (port: ${port}, targetPort: ${targetPort}) doesn't follow the naming convention of Istio port.`,
  unknownMeshNetworksServiceRegistry: (registry: string, network: string) =>
    `Unknown service registry ${registry} in network ${network}`,
  virtualServiceHostNotFoundInGateway: (
    hosts: readonly string[],
    virtualService: string,
    gateway: string,
  ) =>
    `one or more host ${list(hosts)} defined in VirtualService ${virtualService} not found in Gateway ${gateway}.`,
  multiClusterInconsistentService: (
    service: string,
    ns: string,
    clusters: readonly string[],
    error: string,
  ) =>
    `The service ${service} in namespace ${q(ns)} is inconsistent across clusters ${quotedList(clusters)}, which can lead to undefined behaviors. The inconsistent behaviors are: ${error}.`,
  destinationRuleSubsetNotSelectPods: (subset: string) =>
    `The Subset ${subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
  unknownDestinationRuleHost: (host: string) =>
    `The host ${host} defined in the DestinationRule does not match any services in the mesh.`,
} as const
