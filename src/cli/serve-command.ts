import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';

/** `serve`: placeholder registration (issue 12 is building it). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve (being built)')
    .action(() => {
      throw new CtError('CT_ERR_USAGE', 'serve is not built yet');
    });
}
