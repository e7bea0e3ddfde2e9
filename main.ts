#!/usr/bin/env node
/**
 * cryptotrader entry point. Run from source: `npx tsx main.ts --help`; built (`npm run build`):
 * `node dist/main.js --help`, which is what the `cryptotrader` bin and `npm start` run.
 * Everything lives in src/; this file only hands argv to the CLI and sets the exit code.
 */
import { runCli } from './src/cli/run-cli.ts';

process.exitCode = await runCli(process.argv);
