#!/usr/bin/env node
/**
 * cryptotrader entry point. Run from source: `npx tsx main.ts --help` (or `node --import tsx
 * main.ts`); built (`npm run build`): `node dist/main.js --help`, which is what the `cryptotrader`
 * bin and `npm start` run. Everything lives in src/; this file only takes the stop request, hands
 * argv to the CLI and sets the exit code (README: "Stopping, signals and exit codes").
 */
import { holdProcessStop } from './src/app/process-stop.ts';

// Held before the CLI is even loaded: a Ctrl-C or SIGTERM while it starts up is remembered and
// ends the run it was starting as `interrupted`, instead of killing the process half-way.
const stops = holdProcessStop();
const { runCli } = await import('./src/cli/run-cli.ts');
process.exitCode = await runCli(process.argv, stops);
stops.release();
