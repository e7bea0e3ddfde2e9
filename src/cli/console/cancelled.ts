/**
 * Leaving the console at a prompt (Ctrl-C): nothing has run and nothing was written. The CLI
 * turns it into exit 130, the shell's code for a command ended by Ctrl-C. A tiny module on its
 * own so that the CLI can recognise it without loading the console.
 */
export class ConsoleCancelled extends Error {
  readonly exitCode = 130;
  constructor(message = 'console cancelled at a prompt: nothing was run or written') {
    super(message);
    this.name = 'ConsoleCancelled';
  }
}

/** inquirer's own errors for a prompt left with Ctrl-C (or closed under it). */
export function isPromptExit(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}
