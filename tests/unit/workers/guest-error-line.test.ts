import { describe, expect, it } from 'vitest';
import { guestErrorLine } from '../../../src/workers/remote-host.ts';

describe("what a dead strategy guest's stderr says went wrong", () => {
  it("names the uncaught error, not the stack's last frames or the Node banner", () => {
    const stderr = [
      'file:///strategies/custom/x.ts:12',
      '    void Promise.reject(new Error("boom"));',
      '                        ^',
      'Error: boom',
      '    at onCandle (file:///strategies/custom/x.ts:12:25)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '',
      'Node.js v20.20.2',
    ];
    expect(guestErrorLine(stderr)).toBe('Error: boom');
  });

  it('falls back to the last line that is not stack or banner, and to nothing on an empty stderr', () => {
    expect(guestErrorLine(['out of memory, giving up', '    at x (y.js:1:1)', 'Node.js v20.20.2'])).toBe('out of memory, giving up');
    expect(guestErrorLine([])).toBeUndefined();
  });
});
