// meshsim's vocabulary: branded ids, the inert topology types and SPIFFE identities.
// Imports nothing from the rest of meshsim; everything else imports it.

export type * from './envoy-filter.ts'
export * from './identity.ts'
export * from './ids.ts'
export * from './ipv4.ts'
export * from './istio.ts'
export * from './keys.ts'
export * from './kube.ts'
export type * from './mesh.ts'
export * from './pod-ref.ts'
export * from './protocol.ts'
export * from './re2.ts'
