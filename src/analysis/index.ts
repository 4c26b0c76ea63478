// Configuration analysis, the counterpart of `istioctl analyze`: pure analyzers over each
// cluster's Istio resources, Services and pods (as its istiod sees them) that report Istio's
// message codes (IST0101, IST0173...) with Istio's texts, sorted and rendered as istioctl does.

export { type AnalyzeOptions, analyze, namespacesOf } from './analyze.ts'
export {
  formatJson,
  formatLine,
  formatYaml,
  issuesFoundLines,
  type LineOptions,
  noIssuesLine,
  targetOf,
} from './format.ts'
export { YamlSource } from './locate.ts'
export { atLeast, type Level } from './messages.ts'
export { type Inventory, inputFromTopology, type TopologySource } from './topology.ts'
export type {
  AnalysisInput,
  AnalysisMessage,
  ClusterInput,
  LocatedResource,
  MeshNetworksInput,
  Origin,
  PodInput,
  Position,
  ResourceRef,
  ServiceInput,
} from './types.ts'
