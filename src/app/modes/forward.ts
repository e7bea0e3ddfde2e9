import type { RawConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { requireSecrets, type Secrets } from '../../config/secrets.ts';
import { WallClock } from '../../core/clock.ts';
import { CtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import { timeframeMs } from '../../core/timeframe.ts';
import { StepStreamSource } from '../../engine/sources/step-stream-source.ts';
import type { Logger } from '../../observability/logger.ts';
import { createBybitClient } from '../../venues/bybit/ccxt-client.ts';
import { klineFeed } from '../../venues/bybit/kline-feed.ts';
import { simulatedExecution, type ResumableAccount } from '../account.ts';
import { buildForwardAccount, carriedOver, feedStrategies, logStart, planAccount, type AccountPlan } from '../account-resume.ts';
import { FeedGapWriter } from '../../persistence/feed-gaps.ts';
import { bybitClientOptionsOf, klineFeedOptionsOf } from '../component-options.ts';
import { liveSteps, type LateCandle } from '../live-steps.ts';
import { writeRunResults } from '../run-results.ts';
import { runSession, type SessionStatus } from '../session.ts';
import { holeFlag, statusReporter } from '../status-line.ts';
import type { ModeModule } from './mode.ts';

export interface ForwardOutcome {
  readonly runId: string;
  readonly status: SessionStatus;
  readonly steps: number;
  readonly fills: number;
  readonly finalEquity: number;
  /** results/<run-id>/, written from the run's rows when it stops (like a backtest's). */
  readonly resultsDir: string;
}

/**
 * What forward mode may execute on. `bybit_demo` (Bybit's demo account) needs the live Bybit
 * adapter, which is not part of this version: it is refused here, after the credentials it would
 * need are checked, so the user learns both at once.
 */
export function checkForwardExecution(config: Config, secrets?: Secrets): void {
  if (config.forward.execution === 'paper') return;
  if (secrets !== undefined) requireSecrets(config, secrets, 'forward mode with execution = bybit_demo');
  throw new CtError('CT_ERR_USAGE', `forward.execution = ${config.forward.execution}: the Bybit demo adapter is not part of this version yet; use forward.execution = paper`);
}

/**
 * Forward: live Bybit candles (closed only, over WebSocket with reconnect and REST backfill)
 * through the same loop, with paper execution (the fill simulator), durable accounting and
 * supervised hosts. The run continues the account `forward.account` (src/app/account-resume.ts):
 * restored as of its last committed step, strategies replayed on its recorded candles and on the
 * ones that closed while the daemon was down; a new account's strategies start warmed up on the
 * last closed candles over REST. Runs until Ctrl-C or forward.max_candles steps. Its clock is the
 * wall clock: it times the grace period a live step waits for a late symbol.
 */
export async function runForward(inp: { config: Config; raw: RawConfig; logger: Logger; secrets?: Secrets; signal?: AbortSignal; newAccount?: boolean }): Promise<ForwardOutcome> {
  const { config } = inp;
  checkForwardExecution(config, inp.secrets);
  const log = inp.logger.child({ component: 'forward' });
  const clock = new WallClock();
  const tfMs = timeframeMs(config.market.timeframe);
  let openPositions = (): number => 0;
  let holes: () => string[] = () => [];
  // Made before the first step: a hole in the first backfill must show on the status line too.
  const report = statusReporter(log, () => openPositions(), 1, () => holes());
  const execution = simulatedExecution(config, log);
  let account: ResumableAccount | undefined;
  return runSession({ config, raw: inp.raw, logger: log, ...(inp.signal ? { signal: inp.signal } : {}) }, {
    mode: 'forward',
    runIdPrefix: 'forward',
    initialCash: config.forward.initial_cash,
    accounting: 'durable',
    supervised: true,
    closeAtEnd: false,
    maxSteps: config.forward.max_candles,
    // Read-only: a saved state that cannot be read or does not fit the config fails before any strategy starts.
    prepare: async (ctx): Promise<{ symbols: readonly string[]; plan: AccountPlan }> => ({ symbols: config.market.symbols, plan: planAccount(ctx.db, ctx.runId, config, inp.newAccount === true) }),
    execution: () => execution,
    account: (p, ctx) => (account = buildForwardAccount(ctx.db, ctx.runId, config, p.plan, execution)),
    async source(p, hosts, ctx) {
      // Strategies start warm, as they would have been had the daemon been running all along.
      // One REST client (with the configured timeout) for the warm-up and the feed's backfills.
      const client = createBybitClient(bybitClientOptionsOf(config));
      const { lastClosedTs, fed } = await feedStrategies({ db: ctx.db, runId: ctx.runId, hosts, config, symbols: p.symbols, plan: p.plan, log, client, signal: ctx.stop });
      logStart(log.child({ runId: ctx.runId }), p.plan, carriedOver(account!, execution), fed);
      // Gaps the feed could not fill are events of this run in the state DB.
      const gaps = new FeedGapWriter(ctx.db, ctx.runId);
      const feed = klineFeed({
        wsUrl: config.exchange.ws_url,
        client,
        market: config.exchange.market,
        timeframe: config.market.timeframe,
        symbols: p.symbols,
        lastClosedTs,
        logger: log.child({ component: 'kline-feed' }),
        ...klineFeedOptionsOf(config),
        onGap: (g) => gaps.record(g),
        // While a hole is open no step comes: the status line is redrawn when one opens or closes.
        onEvent: (e) => {
          if (e.type === 'hole_opened' || e.type === 'backfill_failed' || e.type === 'backfilled') report.refresh();
        },
      });
      holes = () => feed.openHoles().map(holeFlag);
      // A stop (Ctrl-C, the step limit) or the end of the session closes the feed, which ends the source.
      if (ctx.stop.aborted) feed.close();
      else ctx.stop.addEventListener('abort', () => feed.close(), { once: true });
      const onLate = (l: LateCandle): void => log.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', ...l }, `${l.symbol} candle ${isoUtc(l.ts)} arrived after its step was traded (${isoUtc(l.lastStepTs)}); dropped`);
      return new StepStreamSource(p.symbols, liveSteps(feed, p.symbols, { graceMs: Math.min(10_000, tfMs / 4), clock, onLate, backfill: feed }));
    },
    onStep(s, account) {
      openPositions = () => account.portfolio.openPositions().length;
      report(s);
    },
    async end({ ctx, status, loop }) {
      const eq = loop?.equity;
      const last = eq !== undefined && eq.length > 0 ? eq.at(eq.length - 1).equity : (account?.portfolio.equity() ?? config.forward.initial_cash);
      const resultsDir = await writeRunResults(ctx.db, ctx.runId, config.general.results_dir);
      return { runId: ctx.runId, status, steps: loop?.steps ?? 0, fills: loop?.fills.length ?? 0, finalEquity: last, resultsDir };
    },
  });
}

export const forwardMode: ModeModule = {
  name: 'forward',
  logFile: 'cryptotrader.log',
  maxCandlesKey: 'forward.max_candles',
  resumable: true,
  async run(inp) {
    const r = await runForward(inp);
    return { json: { run_id: r.runId, ...r }, text: `forward ${r.runId} ${r.status}: ${r.steps} steps, ${r.fills} fills, equity ${r.finalEquity.toFixed(2)}\nresults: ${r.resultsDir}` };
  },
};
