import type { RawConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { requireSecrets, type Secrets } from '../../config/secrets.ts';
import type { Logger } from '../../observability/logger.ts';
import { createBybitClient, type BybitClient } from '../../venues/bybit/ccxt-client.ts';
import { simulatedExecution, type ResumableAccount } from '../account.ts';
import { buildForwardAccount, carriedOver, logStart, planAccount, simulatedProtection, type AccountPlan } from '../account-resume.ts';
import { bybitClientOptionsOf } from '../component-options.ts';
import { liveCandleSource } from '../live-source.ts';
import { writeRunResults } from '../run-results.ts';
import { runSession } from '../session.ts';
import { statusReporter } from '../status-line.ts';
import type { DaemonRunOutcome, ModeModule } from './mode.ts';

/** What a forward run reports when it stops (live runs report the same). */
export type ForwardOutcome = DaemonRunOutcome;

/**
 * Forward: live Bybit candles (closed only, over WebSocket with reconnect and REST backfill)
 * through the same loop, with paper execution (the fill simulator), durable accounting and
 * supervised hosts. The run continues the account `forward.account` (src/app/account-resume.ts):
 * restored as of its last committed step, strategies replayed on its recorded candles and on the
 * ones that closed while the daemon was down; a new account's strategies start warmed up on the
 * last closed candles over REST. Runs until Ctrl-C or forward.max_candles steps. Its clock is the
 * wall clock: it times the grace period a live step waits for a late symbol.
 */
export async function runForward(inp: { config: Config; raw: RawConfig; logger: Logger; secrets?: Secrets; signal?: AbortSignal; newAccount?: boolean; client?: BybitClient }): Promise<ForwardOutcome> {
  const { config } = inp;
  const log = inp.logger.child({ component: 'forward' });
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
      // One REST client (with the configured timeout) for the warm-up and the feed's backfills.
      const client = inp.client ?? createBybitClient(bybitClientOptionsOf(config));
      const live = await liveCandleSource({ db: ctx.db, runId: ctx.runId, hosts, config, symbols: p.symbols, plan: p.plan, log, client, wsUrl: config.exchange.ws_url, stop: ctx.stop, refresh: () => report.refresh() });
      logStart(log.child({ runId: ctx.runId }), p.plan, carriedOver(account!, simulatedProtection(execution)), live.fed);
      holes = live.holes;
      return live.source;
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
  preflightAtStart: true,
  async run(inp) {
    if (inp.config.forward.execution !== 'paper') {
      // Orders on Bybit's demo account or testnet: the exchange-backed wiring (live mode's too).
      const kind = inp.config.forward.execution;
      requireSecrets(inp.config, inp.secrets, `forward mode with execution = ${kind}`);
      const { runOnExchange } = await import('./exchange-run.ts');
      const r = await runOnExchange(inp, 'forward', kind);
      return { json: { run_id: r.runId, ...r }, text: `forward (${kind}) ${r.runId} ${r.status}: ${r.steps} steps, ${r.fills} fills, equity ${r.finalEquity.toFixed(2)}\nresults: ${r.resultsDir}` };
    }
    // The fatal preflight checks of a paper start, on the client the run then trades with (the instruments load once).
    const client = createBybitClient(bybitClientOptionsOf(inp.config));
    const { enforcePreflight, paperStartChecks } = await import('../../preflight/start-gate.ts');
    const log = inp.logger.child({ component: 'preflight' });
    enforcePreflight(await paperStartChecks(inp.config, client, log), { skip: inp.skipPreflight, mode: 'forward', log });
    const r = await runForward({ ...inp, client });
    return { json: { run_id: r.runId, ...r }, text: `forward ${r.runId} ${r.status}: ${r.steps} steps, ${r.fills} fills, equity ${r.finalEquity.toFixed(2)}\nresults: ${r.resultsDir}` };
  },
};
