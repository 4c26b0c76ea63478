// Turns a MeshSpec into a running mesh and owns its lifecycle: the inventory of pods and
// Services, the fabric that maps virtual addresses to loopback sockets (in memory every thread
// shares), the pod threads that run each pod's app and proxy, and startMesh, which wires
// PKI, DNS, control planes, apps, sidecars and gateways together.

export { type AccessRecord, formatAccessLog } from '../proxy/index.ts'
export { startMesh } from './build.ts'
export {
  describePod,
  describeServiceNamed,
  type PodDescription,
  type RouteSummary,
  type ServiceDescription,
} from './describe.ts'
export { createFabricMemory, Fabric, type FabricMemory, type FabricStats } from './fabric.ts'
export {
  type ProxyDump,
  type ProxyEntry,
  proxiesOf,
  proxyDump,
  remoteClustersOf,
  resourcesOf,
} from './inspect.ts'
export { buildInventory, type ClusterInventory, type Pod, type Service } from './inventory.ts'
export {
  actOnManifest,
  type ManifestItem,
  type ManifestOutcome,
  type ManifestRequest,
  type ManifestResult,
} from './manifests.ts'
export {
  Mesh,
  type MeshOptions,
  type ProxyStatus,
  type RunningCluster,
  type RunningGateway,
  type RunningPod,
} from './mesh.ts'
export {
  POD_RESOURCE_LIMITS,
  PodHandle,
  PodThreads,
  type PodThreadsOptions,
} from './pod-threads.ts'
export { type RecordListener, RecordStream } from './records.ts'
export {
  apiServerOf,
  type RemoteClusterStatus,
  RemoteClusters,
  remoteSecretYaml,
} from './remote-clusters.ts'
export type { CertificateSummary, SecretSummary } from './secrets.ts'
