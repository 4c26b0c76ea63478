// Runs every benchmark in order: `npm run bench` (node --expose-gc bench/run.ts).
// Each bench file default-exports an async function that prints its own table.

const benches = ['./ca.bench.ts', './cli.bench.ts']

for (const file of benches) {
  const bench = (await import(file)) as { default: () => Promise<void> }
  await bench.default()
}
