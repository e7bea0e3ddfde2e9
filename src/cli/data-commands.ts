import type { Command } from 'commander';

/** `data download|import|verify|list` — wired to src/data when the data layer lands. */
export function registerDataCommands(program: Command): void {
  program.command('data').description('market data: download, import, verify, list');
}
