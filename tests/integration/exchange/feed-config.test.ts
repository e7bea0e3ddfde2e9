import { describe, expect, it } from 'vitest';
import { cli, expectOneCleanLine } from '../cli/cli-env.ts';
import { configWith } from '../../support/backtest-env.ts';
import { klineFeedOptionsOf } from '../../../src/app/component-options.ts';

describe('the live feed connection keys in [exchange]', () => {
  it('maps ws_ping_interval_ms, ws_stall_timeout_ms and ws_summary_interval_ms onto the feed, 20 s / 50 s / 10 min by default', () => {
    expect(klineFeedOptionsOf(configWith([]).config)).toMatchObject({ pingIntervalMs: 20_000, stallTimeoutMs: 50_000, summaryIntervalMs: 600_000 });
    const set = configWith(['exchange.ws_ping_interval_ms=5000', 'exchange.ws_stall_timeout_ms=12000', 'exchange.ws_summary_interval_ms=0']).config;
    expect(klineFeedOptionsOf(set)).toMatchObject({ pingIntervalMs: 5000, stallTimeoutMs: 12_000, summaryIntervalMs: 0 });
  });

  it('refuses a stall timeout that is not above the ping interval with exit 2 and one line naming the key and value', () => {
    const r = cli(['config', 'check', '--set', 'exchange.ws_ping_interval_ms=30000', '--set', 'exchange.ws_stall_timeout_ms=30000']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_CONFIG_INVALID', 'exchange.ws_stall_timeout_ms = 30000', 'exchange.ws_ping_interval_ms (30000)');
  });
});
