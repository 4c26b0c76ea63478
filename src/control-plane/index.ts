// The control plane (istiod's role): a registry per primary cluster, immutable snapshots, pure
// generators with split-horizon EDS, and versioned pushes to proxies. No sockets here.

export { type ApplyOutcome, ConfigStore, type ResourceRef } from './config-store.ts'
export {
  type DiscoveryServer,
  type DiscoveryServerOptions,
  startDiscoveryServer,
} from './discovery-server.ts'
export { GATEWAY_PORT, generate, splitHorizon } from './generators/index.ts'
export type { EndpointRecord, NetworkGateway, ServiceRecord } from './registry.ts'
export { Registry } from './registry.ts'
export { ControlPlane, type Scheduler } from './server.ts'
export {
  buildSnapshot,
  emptyIstioConfig,
  type IstioConfig,
  istioConfigOf,
  type MeshService,
  type MeshSettings,
  type MeshSnapshot,
} from './snapshot.ts'
