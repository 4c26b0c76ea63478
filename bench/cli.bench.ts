// Start-up time of the installed command: `node bin/meshsim.js --help` (dist/, as `npx meshsim`
// runs it) against a bare `node -e ''` measured in the same run.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const RUNS = 15

function medianMs(args: string[]): number {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    execFileSync(process.execPath, args, { stdio: 'ignore' })
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(RUNS / 2)] ?? Number.NaN
}

export default async function cliBench(): Promise<void> {
  if (!existsSync('dist/cli/main.js')) {
    console.log('cli start-up: skipped, dist/ is not built (run npm install or npm run build)')
    return
  }
  const baseline = medianMs(['-e', ''])
  const help = medianMs(['bin/meshsim.js', '--help'])
  console.log(`\nCLI start-up (median of ${RUNS} runs)`)
  console.log(`  node -e ''                 ${baseline.toFixed(1)} ms   1.00x`)
  console.log(
    `  meshsim --help             ${help.toFixed(1)} ms   ${(help / baseline).toFixed(2)}x the bare node start`,
  )
}
