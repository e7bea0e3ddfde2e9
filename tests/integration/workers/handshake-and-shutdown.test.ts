import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CtError } from '../../../src/core/errors.ts';
import { PROTOCOL_VERSION, parseGuestMessage, parseHostMessage } from '../../../src/workers/protocol.ts';
import { createStrategyHost } from '../../../src/workers/host-factory.ts';
import type { StrategyHost } from '../../../src/workers/strategy-host.ts';
import { CHOPPY_MARKET, syntheticSeries } from '../../support/synthetic-store.ts';
import { batchOf, builtinSpec, misbehavingSpec } from './helpers/batches.ts';
import { isAlive } from '../../support/processes.ts';

/** Candles for the fixture strategy (it trades on hourly moves above 1 %): the choppy synthetic series. */
const btc = (): ReturnType<typeof syntheticSeries> => syntheticSeries('BTC/USDT', CHOPPY_MARKET);

const hosts: StrategyHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

/** Forks the real guest entry with no host around it, to speak the protocol by hand. */
function rawGuest() {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(new URL('../../../src/workers/strategy-guest.ts', import.meta.url), [], {
    execArgv: ['--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => child.once('message', (m) => resolve(m as Record<string, unknown>)));
  return { child, next };
}

describe('strategy host handshake', () => {
  for (const isolation of ['process', 'worker'] as const) {
    it(`a ${isolation} guest answers init with ready carrying the runner's warm-up and usesFills`, async () => {
      const host = createStrategyHost(builtinSpec('simple_ma', 'sma', { fast: 5, slow: 12 }), { isolation });
      hosts.push(host);
      const ready = await host.start();
      // simple_ma needs the slow SMA on the previous candle too: warm-up > slow period.
      expect(ready.warmup).toBeGreaterThan(12);
      expect(ready.usesFills).toBe(false);
      if (isolation === 'process') expect(host.pid).toBeGreaterThan(0);
    });
  }

  it('a guest rejects an init of another protocol version with CT_ERR_PROTOCOL', async () => {
    const { child, next } = rawGuest();
    try {
      child.send({ v: PROTOCOL_VERSION + 1, type: 'init', id: 7, spec: builtinSpec('simple_ma'), runnerOptions: {}, heartbeatMs: 1000 });
      const reply = await next();
      expect(reply).toMatchObject({ type: 'reply', id: 7, ok: false, error: { code: 'CT_ERR_PROTOCOL' } });
      expect(String((reply.error as { message: string }).message)).toContain(`version ${PROTOCOL_VERSION + 1}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a guest answers an unknown message type with CT_ERR_PROTOCOL and stays up', async () => {
    const { child, next } = rawGuest();
    try {
      child.send({ v: PROTOCOL_VERSION, type: 'teleport', id: 3 });
      expect(await next()).toMatchObject({ type: 'reply', id: 3, ok: false, error: { code: 'CT_ERR_PROTOCOL' } });
      child.send({ v: PROTOCOL_VERSION, type: 'ping', id: 4 });
      // ping before init is itself answered (liveness does not need a runner)
      expect(await next()).toMatchObject({ type: 'reply', id: 4, ok: true, value: 'pong' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the host rejects guest messages of another version or of unknown type', () => {
    const wrongVersion = () => parseGuestMessage({ v: PROTOCOL_VERSION + 1, type: 'heartbeat', ts: 1 });
    expect(wrongVersion).toThrow(CtError);
    expect(wrongVersion).toThrow(/protocol version/);
    expect(() => parseGuestMessage({ v: PROTOCOL_VERSION, type: 'surprise' })).toThrow(/unknown type "surprise"/);
    expect(() => parseGuestMessage({ v: PROTOCOL_VERSION, type: 'reply', id: 1, ok: false, error: { code: 'NOT_A_CODE', message: 'x' } })).toThrow(/error/);
    expect(() => parseHostMessage({ v: PROTOCOL_VERSION, type: 'batch', id: 1, batch: { length: 2, symbols: ['A'], ts: new Float64Array(1) } })).toThrow(/batch/);
  });

  it('start fails with the runner error when the strategy does not exist, and the guest is gone', async () => {
    const host = createStrategyHost(builtinSpec('no_such_strategy'), { isolation: 'process' });
    hosts.push(host);
    await expect(host.start()).rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_NOT_FOUND' });
    const pid = host.pid!;
    await host.stop();
    expect(isAlive(pid)).toBe(false);
  });
});

describe('strategy logs', () => {
  for (const isolation of ['process', 'worker'] as const) {
    it(`${isolation}: ctx.log records reach the host logger as log messages, tagged with the instance and candle ts`, async () => {
      const lines: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
      const c = btc();
      const host = createStrategyHost(misbehavingSpec('talker', 'none'), { isolation, logger, runnerOptions: { skipSourceCheck: true } });
      hosts.push(host);
      await host.start();
      const signals = await host.processBatch(batchOf('BTC/USDT', c, 0, 300));
      await host.stop();
      const entries = signals.filter((s) => s.kind === 'enter_long');
      const logged = lines.filter((l) => l.msg === 'fixture entered long');
      expect(entries.length).toBeGreaterThan(0);
      expect(logged.map((l) => l.candleTs)).toEqual(entries.map((s) => s.ts));
      expect(logged[0]).toMatchObject({ instanceId: 'talker', from: 'guest', symbol: 'BTC/USDT' });
    });
  }
});

describe('strategy host shutdown', () => {
  for (const isolation of ['process', 'worker'] as const) {
    it(`a ${isolation} guest acknowledges shutdown and exits on its own`, async () => {
      const host = createStrategyHost(misbehavingSpec('m', 'none'), { isolation, runnerOptions: { skipSourceCheck: true } });
      await host.start();
      const pid = host.pid;
      const report = await host.stop();
      expect(report).toEqual({ acknowledged: true, exitCode: 0, signal: null });
      if (pid !== undefined) expect(isAlive(pid)).toBe(false);
      await expect(host.processBatch({ symbols: ['BTC/USDT'], length: 0, ts: new Float64Array(0), sym: new Int32Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) })).rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_DIED' });
    });
  }

  it('a guest stuck in a handler is killed after the shutdown timeout', async () => {
    const c = btc();
    const host = createStrategyHost(misbehavingSpec('m', 'hang', c.ts[5]!), { isolation: 'process', runnerOptions: { skipSourceCheck: true }, shutdownTimeoutMs: 300, heartbeatMs: 10_000 });
    await host.start();
    const batch = batchOf('BTC/USDT', c, 0, 10);
    const pending = host.processBatch(batch);
    const report = await host.stop();
    expect(report.acknowledged).toBe(false);
    expect(report.signal).toBe('SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_DIED' });
  });
});
