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
 * Units of a command (a word, or a flag with its value) wrapped into lines of at most `width`
 * columns, continued with ` \\` and indented, so that the whole can be pasted into a shell. A
 * unit is never split; one longer than a line stays whole on its own line.
 */
export function wrapCommand(units: readonly string[], width = CONSOLE_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const u of units) {
    if (line === '') line = u;
    else if (line.length + 1 + u.length + 2 <= width) line += ` ${u}`;
    else {
      lines.push(`${line} \\`);
      line = `  ${u}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A word quoted for a POSIX shell when it holds anything but safe characters. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
