#!/usr/bin/env -S npx tsx
/**
 * cryptotrader entry point. Run from source: `npx tsx main.ts --help`.
 * Everything lives in src/; this file only hands argv to the CLI and sets the exit code.
 */
import { runCli } from './src/cli/run-cli.ts';

process.exitCode = await runCli(process.argv);
