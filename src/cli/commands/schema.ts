// `meshsim schema`: prints the JSON Schema of the topology format for editors.

import { topologyJsonSchema } from '../../config/index.ts'
import { ExitCode, type Io } from '../io.ts'

export function schemaCommand(io: Io): number {
  io.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`)
  return ExitCode.Ok
}
