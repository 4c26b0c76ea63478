// Turns a MeshSpec into a running mesh and owns its lifecycle. So far: the inventory of pods and
// Services (names and addresses) that the data path will bind sockets for.

export { Fabric, type FabricStats } from './fabric.ts'
export { buildInventory, type ClusterInventory, type Pod, type Service } from './inventory.ts'
