// Runs every benchmark in order: `npm run bench` (node --expose-gc bench/run.ts).
// Each bench file default-exports an async function that prints its own table;
// `node --expose-gc bench/run.ts ./tui.bench.ts` runs one alone.

const benches = process.argv[2]
  ? [process.argv[2]]
  : ['./ca.bench.ts', './cli.bench.ts', './data-path.bench.ts', './tui.bench.ts']

// The React build `meshsim up` runs (it sets this before loading the TUI); the TUI bench says so.
process.env.NODE_ENV ??= 'production'

for (const file of benches) {
  const bench = (await import(file)) as { default: () => Promise<void> }
  await bench.default()
}
