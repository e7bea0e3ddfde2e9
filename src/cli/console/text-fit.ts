/**
 * The console must read in an 80-column terminal: every line of its own text is cut to the width
 * (with an ellipsis), and a long command line is wrapped at argument boundaries.
 */
export const CONSOLE_WIDTH = 80;

/** `text` on one line of at most `width` columns (newlines folded to spaces). */
export function fit(text: string, width = CONSOLE_WIDTH): string {
  const one = text.replace(/\s*\n\s*/g, ' ');
  return one.length <= width ? one : `${one.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Shell words wrapped into lines of at most `width` columns, continued with ` \` so that the
 * whole can be pasted into a shell. A single word longer than a line stays whole on its own line.
 */
export function wrapCommand(words: readonly string[], width = CONSOLE_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const indent = lines.length === 0 ? '' : '  ';
    if (line === '') line = `${indent}${w}`;
    else if (line.length + 1 + w.length + 2 <= width) line += ` ${w}`;
    else {
      lines.push(`${line} \\`);
      line = `  ${w}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A word quoted for a POSIX shell when it holds anything but safe characters. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
