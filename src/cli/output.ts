import { scrub } from '../observability/scrub.ts';

/**
 * The end-of-command output contract: with --json, exactly one JSON document on stdout;
 * otherwise the human text on stdout. Both pass the secret scrubber.
 */
export function emitResult(json: boolean, summary: unknown, human: string): void {
  if (json) process.stdout.write(scrub(`${JSON.stringify(summary)}\n`));
  else if (human.length > 0) process.stdout.write(scrub(human.endsWith('\n') ? human : `${human}\n`));
}

/** Operator text written while a command runs: stdout, or stderr with --json so stdout stays one JSON document. */
export function operatorText(json: boolean): (text: string) => void {
  return (text) => (json ? process.stderr : process.stdout).write(scrub(text.endsWith('\n') ? text : `${text}\n`));
}
