/**
 * `tsx scripts/preflight.ts --config config/config.ini [--mode forward] [--strict] [--json]`: the
 * `preflight` command for deploy scripts that call a script rather than the CLI. The same command
 * (src/cli/preflight-command.ts), the same checks and exit codes: 0 nothing failed, 1 a check
 * failed, 2 bad usage or config. docs/preflight.md.
 */
import { runCli } from '../src/cli/run-cli.ts';

process.exitCode = await runCli([process.argv[0]!, process.argv[1]!, 'preflight', ...process.argv.slice(2)]);
