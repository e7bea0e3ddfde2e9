import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, CtError, exitCodeFor } from '../../src/core/errors.ts';
import { REPO_ROOT } from '../support/shared-data.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');

/** Parses docs/errors.md into code -> class, from the `## <Class> — ...` headings. */
function documentedCodes(): Map<string, string> {
  const classOf: Record<string, string> = { 'Invalid input': 'invalid_input', Retry: 'retry', 'Strategy fault': 'strategy', Fatal: 'fatal' };
  const out = new Map<string, string>();
  let current = '';
  for (const line of doc.split('\n')) {
    const h = /^## (.+?) —/.exec(line);
    if (h) current = classOf[h[1]!] ?? `unknown heading "${h[1]}"`;
    const c = /^### `(CT_ERR_[A-Z0-9_]+)`/.exec(line);
    if (c) out.set(c[1]!, current);
  }
  return out;
}

describe('error registry', () => {
  it('documents exactly the codes the registry defines, under the heading of their class', () => {
    const documented = documentedCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, spec] of Object.entries(ERROR_CODES)) expect({ code, cls: documented.get(code) }).toEqual({ code, cls: spec.errorClass });
  });

  it('gives every code a meaning and a CT_ERR_ prefix', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^CT_ERR_[A-Z0-9_]+$/);
      expect(spec.meaning.length).toBeGreaterThan(10);
    }
  });

  it('maps invalid input to exit code 2 and everything else to 1', () => {
    expect(exitCodeFor('invalid_input')).toBe(2);
    expect(exitCodeFor('fatal')).toBe(1);
    expect(new CtError('CT_ERR_CONFIG_INVALID', 'x').toLine()).toBe('CT_ERR_CONFIG_INVALID: x');
  });
});
