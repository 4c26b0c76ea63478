// The door for topology files and Istio resource files: parse YAML with positions, validate against
// the schema and the cross-references, apply defaults, and hand out a deep-frozen MeshSpec or
// checked IstioResources. Nothing raw leaves here; building the mesh from the spec is runtime's job.

export { ConfigError, ConfigReadError, formatProblem, type Problem, ProblemCode } from './errors.ts'
export {
  loadTopologyFile,
  MAX_TOPOLOGY_BYTES,
  type ParseOptions,
  parseTopology,
  type SpecCheck,
} from './load.ts'
export type { Finding } from './references.ts'
export {
  type CheckedResource,
  type CheckOptions,
  checkResource,
  ISTIO_API_VERSIONS,
  loadResourceFile,
  MAX_RESOURCE_BYTES,
  type ParsedResources,
  type ParseResourcesOptions,
  parseResources,
} from './resources/index.ts'
export { API_VERSION, topologyJsonSchema } from './schema.ts'
