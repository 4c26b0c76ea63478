// Istio's networking resources (VirtualService, DestinationRule, ServiceEntry, Gateway) read from
// YAML: standalone files as kubectl apply -f takes them, and inline in topology files. Each is
// checked as Istio's validation webhook checks it; what Istio ignores is reported as a warning.

export {
  loadResourceFile,
  MAX_RESOURCE_BYTES,
  type ParsedResources,
  type ParseResourcesOptions,
  parseResources,
} from './parse.ts'
export { type CheckedResource, type CheckOptions, checkResource } from './resource.ts'
export { ISTIO_API_VERSIONS, IstioResourceSchema } from './schema.ts'
export { checkInlineResources, type InlineResources } from './topology.ts'
