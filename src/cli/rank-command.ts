import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';

/** `rank`: placeholder registration (issue 12 is building it). */
export function registerRankCommand(program: Command): void {
  program
    .command('rank')
    .description('rank (being built)')
    .action(() => {
      throw new CtError('CT_ERR_USAGE', 'rank is not built yet');
    });
}
