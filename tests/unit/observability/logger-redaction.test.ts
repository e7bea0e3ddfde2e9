import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { registerSecrets, scrub } from '../../../src/observability/scrub.ts';

describe('log redaction', () => {
  it('never writes a registered secret value or a key field to the log file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-log-'));
    const key = 'KEY-4f9c2e7a1b';
    const secret = 'SECRET-77aa19c0de';
    registerSecrets([key, secret]);
    const log = createLogger({ level: 'trace', logDir: dir, fileName: 't.log', human: false, stderrLevel: 'fatal' });
    log.info({ apiKey: key, nested: { secret } }, 'by path');
    log.warn(`exchange said: invalid api key ${key} for signature of ${secret}`);
    log.child({ component: 'x' }).error({ err: new Error(`auth failed for ${key}`) }, 'by value inside an error');
    log.flush();
    const text = readFileSync(join(dir, 't.log'), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(text).not.toContain(key);
    expect(text).not.toContain(secret);
    expect(text.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('scrubs text passed to the console the same way', () => {
    registerSecrets(['TOPSECRET123']);
    expect(scrub('a TOPSECRET123 b TOPSECRET123')).toBe('a [REDACTED] b [REDACTED]');
  });
});
