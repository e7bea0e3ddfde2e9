import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';

/** `walkforward`: placeholder registration (issue 12 is building it). */
export function registerWalkforwardCommand(program: Command): void {
  program
    .command('walkforward')
    .description('walkforward (being built)')
    .action(() => {
      throw new CtError('CT_ERR_USAGE', 'walkforward is not built yet');
    });
}
