import type { Command } from 'commander';

/** `strategies list|check` — wired to src/strategies when the contract lands. */
export function registerStrategyCommands(program: Command): void {
  program.command('strategies').description('list and check strategies');
}
