import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import strategyImports from '../strategy-sdk/allowed-imports.json' with { type: 'json' };

/**
 * Static no-I/O check for strategy source files. Strategies must be pure functions of candles:
 * the context offers no clock, files or network, and this check closes the other doors before a
 * file is ever imported (its top-level code never runs if it fails):
 *  - imports only from the strategy SDK (src/strategy-sdk/allowed-imports.json, the same list the
 *    layer lint enforces on strategies/; type imports included, so the rule is simple to state);
 *  - no reference to ambient escape hatches: Date, process, fetch, require, timers, globalThis,
 *    eval, Function, Math.random, dynamic import(), import.meta, ...
 * It is a lexical scan (comments and string contents are skipped; template-literal expressions
 * are scanned), not a sandbox: it stops honest mistakes and makes cheating explicit and visible.
 */

export interface SourceViolation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Identifiers a strategy may not reference (as a free name, i.e. not after a `.`). */
const FORBIDDEN_NAMES: ReadonlyMap<string, string> = new Map([
  ['Date', 'reads the wall clock; use ctx.ts (the candle time)'],
  ['performance', 'reads the wall clock'],
  ['process', 'reaches the host process (env, exit, stdout)'],
  ['fetch', 'is network I/O'],
  ['XMLHttpRequest', 'is network I/O'],
  ['WebSocket', 'is network I/O'],
  ['require', 'loads modules outside the SDK'],
  ['setTimeout', 'schedules work outside the candle loop'],
  ['setInterval', 'schedules work outside the candle loop'],
  ['setImmediate', 'schedules work outside the candle loop'],
  ['queueMicrotask', 'schedules work outside the candle loop'],
  ['globalThis', 'reaches ambient globals'],
  ['global', 'reaches ambient globals'],
  ['window', 'reaches ambient globals'],
  ['eval', 'runs unchecked code'],
  ['Function', 'runs unchecked code (new Function)'],
  ['Worker', 'starts threads'],
  ['SharedArrayBuffer', 'shares memory outside the runner'],
  ['Atomics', 'shares memory outside the runner'],
]);

/** Folders and files (relative to the repository root) a strategy may import from. */
const ALLOWED_DIRS: readonly string[] = strategyImports.folders;
const ALLOWED_FILES: readonly string[] = strategyImports.files;
const ALLOWED_TEXT = [...ALLOWED_DIRS.map((d) => `${d}/`), ...ALLOWED_FILES].join(', ');

type Tok =
  | { t: 'id'; v: string; line: number; col: number }
  | { t: 'str'; v: string; line: number; col: number }
  | { t: 'punct'; v: string; line: number; col: number };

/** Minimal TypeScript lexer: identifiers, string literals and punctuation, with positions. */
function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  // Stack of brace depths at which a template literal's `${` was opened.
  const tmpl: number[] = [];
  let depth = 0;
  const isIdStart = (c: string): boolean => /[A-Za-z_$\u00c0-\uffff]/.test(c);
  const isId = (c: string): boolean => /[A-Za-z0-9_$\u00c0-\uffff]/.test(c);
  const nl = (k: number): void => {
    line++;
    lineStart = k + 1;
  };
  const regexAllowed = (): boolean => {
    const p = toks[toks.length - 1];
    if (p === undefined) return true;
    if (p.t === 'str') return false;
    if (p.t === 'id') return /^(return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/.test(p.v);
    return !/^[)\]}]$/.test(p.v);
  };
  // Reads template text from i (just after ` or }) up to the closing ` or a `${`.
  const templateText = (): void => {
    while (i < n) {
      const c = src[i]!;
      if (c === '\\') { i += 2; continue; }
      if (c === '\n') nl(i);
      if (c === '`') { i++; toks.push({ t: 'str', v: '`', line, col: i - lineStart }); return; }
      if (c === '$' && src[i + 1] === '{') { i += 2; tmpl.push(depth); depth++; return; }
      i++;
    }
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') { nl(i); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      i += 2;
      while (i < n && !(src[i] === '*' && src[i + 1] === '/')) { if (src[i] === '\n') nl(i); i++; }
      i += 2;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < n && src[j] !== c && src[j] !== '\n') { if (src[j] === '\\') { v += src[j + 1] ?? ''; j += 2; continue; } v += src[j]; j++; }
      toks.push({ t: 'str', v, line, col });
      i = j + 1;
      continue;
    }
    if (c === '`') { i++; templateText(); continue; }
    if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let cls = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j]!;
        if (d === '\\') { j += 2; continue; }
        if (d === '[') cls = true;
        else if (d === ']') cls = false;
        else if (d === '/' && !cls) break;
        j++;
      }
      j++;
      while (j < n && /[a-z]/.test(src[j]!)) j++;
      toks.push({ t: 'str', v: '/regex/', line, col });
      i = j;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isId(src[j]!)) j++;
      toks.push({ t: 'id', v: src.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) { let j = i + 1; while (j < n && /[0-9A-Za-z_.]/.test(src[j]!)) j++; i = j; continue; }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (tmpl.length > 0 && tmpl[tmpl.length - 1] === depth) { tmpl.pop(); i++; templateText(); continue; }
    }
    if (c === '.' && src[i + 1] === '.' && src[i + 2] === '.') { toks.push({ t: 'punct', v: '...', line, col }); i += 3; continue; }
    if (c === '?' && src[i + 1] === '.') { toks.push({ t: 'punct', v: '.', line, col }); i += 2; continue; }
    toks.push({ t: 'punct', v: c, line, col });
    i++;
  }
  return toks;
}

function importAllowed(spec: string, file: string, repoRoot: string): boolean {
  if (!spec.startsWith('.') && !isAbsolute(spec)) return false; // packages and node: builtins
  const target = resolve(dirname(file), spec);
  const rel = relative(repoRoot, target).split(sep).join('/');
  if (ALLOWED_FILES.includes(rel)) return true;
  return ALLOWED_DIRS.some((d) => rel === d || rel.startsWith(`${d}/`));
}

/**
 * Checks one strategy source text. `file` is its path (used to resolve relative imports and in
 * the report); `repoRoot` is the project root the allowed SDK folders are relative to.
 */
export function checkStrategySource(source: string, file: string, repoRoot: string): SourceViolation[] {
  const toks = lex(source);
  const out: SourceViolation[] = [];
  const add = (tk: Tok, message: string): void => {
    out.push({ file, line: tk.line, column: tk.col, message });
  };
  for (let k = 0; k < toks.length; k++) {
    const tk = toks[k]!;
    if (tk.t !== 'id') continue;
    const prev = toks[k - 1];
    const next = toks[k + 1];
    const afterDot = prev !== undefined && prev.t === 'punct' && prev.v === '.';
    if (tk.v === 'import' && !afterDot) {
      if (next?.t === 'punct' && next.v === '(') { add(tk, 'dynamic import() is not allowed in a strategy'); continue; }
      if (next?.t === 'punct' && next.v === '.') { add(tk, 'import.meta is not allowed in a strategy'); continue; }
    }
    if ((tk.v === 'import' || tk.v === 'export') && !afterDot) {
      // The module specifier is the first string after `from`, or right after `import`.
      let spec: Tok | undefined;
      if (tk.v === 'import' && next?.t === 'str') spec = next;
      else {
        for (let m = k + 1; m < toks.length && m < k + 400; m++) {
          const x = toks[m]!;
          if (x.t === 'punct' && x.v === ';') break;
          if (x.t === 'id' && x.v === 'from' && toks[m + 1]?.t === 'str') { spec = toks[m + 1]; break; }
          if (x.t === 'id' && (x.v === 'import' || x.v === 'export') && m > k + 1 && toks[m - 1]?.t !== 'punct') break;
        }
      }
      if (spec !== undefined && !importAllowed(spec.v, file, repoRoot)) {
        add(spec, `import "${spec.v}" is not allowed: a strategy may import only the strategy SDK (${ALLOWED_TEXT})`);
      }
      continue;
    }
    if (afterDot) continue;
    if (tk.v === 'Math' && next?.t === 'punct' && next.v === '.' && toks[k + 2]?.t === 'id' && toks[k + 2]!.v === 'random') {
      add(tk, 'Math.random is not allowed: decisions must be deterministic');
      continue;
    }
    const why = FORBIDDEN_NAMES.get(tk.v);
    if (why !== undefined) {
      // `{ Date: 1 }`-style object keys and `x.Date` are names, not references; a key is an id
      // directly followed by ':' after '{' or ','.
      const isKey = next?.t === 'punct' && next.v === ':' && prev?.t === 'punct' && (prev.v === '{' || prev.v === ',');
      if (!isKey) add(tk, `${tk.v} is not allowed in a strategy: it ${why}`);
    }
  }
  return out;
}

/** One line per violation: `file:line:col: message`. */
export function formatViolations(v: readonly SourceViolation[]): string {
  return v.map((x) => `${x.file}:${x.line}:${x.column}: ${x.message}`).join('\n');
}
