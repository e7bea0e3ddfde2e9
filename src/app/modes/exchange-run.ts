/**
 * An exchange-backed run: live Bybit candles through the same loop, risk gate and accounting as
 * paper trading, with orders on a Bybit account — the demo account or testnet (forward mode,
 * forward.execution = bybit_demo | bybit_testnet) or the real one (live mode, after its two
 * confirmations). What differs from paper is only the wiring below:
 *
 *   prepare   clock skew against /v5/market/time, the account, the instruments' own rules, the
 *             wallet; the account to resume (same rules as paper: src/app/account-resume.ts);
 *   account   the Bybit execution adapter, the risk gate on the exchange's lot sizes and
 *             minimums; a new account starts with the wallet's cash;
 *   source    strategies warmed up or replayed, reconciliation with the exchange before the first
 *             decision (src/app/exchange-reconcile.ts), the private stream, then the live feed;
 *             before each step, executions the stream may have missed are read over REST;
 *   onStep    after the step's commit, the orders it decided are sent (write-ahead);
 *   periodic  reconciliation every live.reconcile_interval_s.
 *
 * A stop leaves positions open with their exchange-side protective orders; Signals decided after
 * the last committed step (strategies' onFinish) are not sent.
 */
import { CtError } from '../../core/errors.ts';
import { timeframeMs } from '../../core/timeframe.ts';
import { BybitExecution } from '../../execution/bybit/bybit-execution.ts';
import type { ExchangeRules } from '../../engine/risk/risk-gate.ts';
import { chainFillIds } from '../../persistence/account-state.ts';
import { ReconciliationEventWriter } from '../../persistence/reconciliation-events.ts';
import { createBybitClient } from '../../venues/bybit/ccxt-client.ts';
import { createPrivateApi } from '../../venues/bybit/private-api.ts';
import { openPrivateStream } from '../../venues/bybit/private-stream.ts';
import type { AccountInfo, BybitPrivateApi, InstrumentRules, PrivateStream, WalletCoin } from '../../venues/bybit/private-types.ts';
import type { ResumableAccount } from '../account.ts';
import { buildForwardAccount, carriedOver, logStart, planAccount, type AccountPlan, type AccountTarget } from '../account-resume.ts';
import { exchangeRetryPolicy, exchangeVenueOf, type ExchangeAccountKind, type ExchangeVenue } from '../component-options.ts';
import { reconcileAtStart, settleAtEnd, startPeriodicReconcile, type ReconcileContext } from '../exchange-reconcile.ts';
import { exchangeBanner } from '../exchange-banner.ts';
import { liveCandleSource } from '../live-source.ts';
import { writeRunResults } from '../run-results.ts';
import { runSession } from '../session.ts';
import { statusReporter } from '../status-line.ts';
import { accountStartChecks, enforcePreflight, sizingStartCheck } from '../../preflight/start-gate.ts';
import type { DaemonRunOutcome, ModeRunInputs } from './mode.ts';

interface Prepared {
  readonly symbols: readonly string[];
  readonly plan: AccountPlan;
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  readonly wallet: readonly WalletCoin[];
  readonly info: AccountInfo;
  readonly skewMs: number;
}

/** Refusals that need no request: checked before anything is sent. */
export function checkExchangeConfig(inp: ModeRunInputs, kind: ExchangeAccountKind): void {
  const { config } = inp;
  // Spot with risk.max_leverage > 1 is refused when the config is loaded (src/config/checks.ts), for every mode.
  if (config.strategies.isolation !== 'process') {
    throw new CtError('CT_ERR_CONFIG_INVALID', `strategies.isolation = ${config.strategies.isolation}: a daemon that trades on an exchange runs every strategy in its own process (strategies.isolation = process)`, {
      details: { key: 'strategies.isolation', value: config.strategies.isolation },
    });
  }
}

export async function runOnExchange(inp: ModeRunInputs & { signal?: AbortSignal }, mode: 'forward' | 'live', kind: ExchangeAccountKind): Promise<DaemonRunOutcome> {
  const { config } = inp;
  checkExchangeConfig(inp, kind);
  const venue = exchangeVenueOf(config, kind);
  const log = inp.logger.child({ component: mode, venue: venue.kind });
  const market = config.exchange.market;
  const tfMs = timeframeMs(config.market.timeframe);
  const accountName = mode === 'live' ? config.live.account : config.forward.account;
  const api: BybitPrivateApi = createPrivateApi({
    restUrl: venue.privateRestUrl, apiKey: inp.secrets.apiKey!, secret: inp.secrets.apiSecret!, timeoutMs: config.exchange.request_timeout_ms,
    recvWindowMs: config.exchange.recv_window_ms, maxClockSkewMs: config.preflight.max_clock_skew_ms, retry: exchangeRetryPolicy(config), logger: log.child({ component: 'bybit-private' }),
  });
  let adapter: BybitExecution | undefined;
  let account: ResumableAccount | undefined;
  let stream: PrivateStream | undefined;
  let periodic: { stop(): void } | undefined;
  let rcx: ReconcileContext | undefined;
  let openPositions = (): number => 0;
  let holes: () => string[] = () => [];
  const report = statusReporter(log, () => openPositions(), 1, () => holes());
  const gate = { skip: inp.skipPreflight, mode, log: log.child({ component: 'preflight' }) };
  // The adapter's clock is the exchange's (local less the skew measured at start): execution
  // times and decision candles are on it.
  const newAdapter = (rules: ReadonlyMap<string, InstrumentRules>, epoch: string, skewMs = 0): BybitExecution =>
    new BybitExecution({ api, market, rules, epoch, logger: log.child({ component: 'bybit-execution' }), now: () => Date.now() - skewMs, staleAfterMs: 2 * tfMs });

  try {
    return await runSession({ config, raw: inp.raw, logger: log, ...(inp.signal ? { signal: inp.signal } : {}) }, {
      mode,
      runIdPrefix: mode,
      initialCash: config.forward.initial_cash,
      accounting: 'durable',
      supervised: true,
      closeAtEnd: false,
      maxSteps: mode === 'live' ? config.live.max_candles : config.forward.max_candles,
      symbols: config.market.symbols,
      async prepare(ctx): Promise<Prepared> {
        const { skewMs } = await api.checkClock();
        const info = await api.accountInfo();
        const rules = await api.instruments(market, config.market.symbols);
        const wallet = await api.wallet();
        const target: AccountTarget = { account: accountName, execution: kind, scratchExecution: (epoch) => newAdapter(rules, epoch) };
        const plan = planAccount(ctx.db, ctx.runId, config, inp.newAccount === true, target);
        // Preflight on what was read (the clock was checked above: a skew beyond the bound is CT_ERR_CLOCK_SKEW).
        enforcePreflight(accountStartChecks(config, { info, wallet, quote: quoteOf(rules, config.market.symbols), newAccount: plan.kind === 'new' }), gate);
        return { symbols: config.market.symbols, plan, rules, wallet, info, skewMs };
      },
      execution: () => {
        throw new CtError('CT_ERR_INTERNAL', 'exchange run: the account builds its own execution adapter');
      },
      account(p, ctx) {
        const epoch = p.plan.kind === 'resume' ? p.plan.chain[p.plan.chain.length - 1]!.id : ctx.runId;
        adapter = newAdapter(p.rules, epoch, p.skewMs);
        const quote = quoteOf(p.rules, config.market.symbols);
        const cash = p.wallet.find((c) => c.coin === quote)?.walletBalance ?? 0;
        if (p.plan.kind === 'new' && !(cash > 0)) {
          throw new CtError('CT_ERR_EXCHANGE_REJECTED', `${venue.label}: the account holds no ${quote} to trade with (wallet ${cash}); fund it first`, { details: { coin: quote, balance: cash } });
        }
        const rules = (s: string): ExchangeRules => {
          const r = p.rules.get(s)!;
          return { minQty: r.minQty, qtyStep: r.qtyStep, minNotional: r.minNotional, tickSize: r.tickSize };
        };
        account = buildForwardAccount(ctx.db, ctx.runId, config, p.plan, adapter, { execution: kind, initialCash: cash, rules });
        if (p.plan.kind === 'resume') adapter.markBooked(chainFillIds(ctx.db, p.plan.chain.map((r) => r.id)));
        return account;
      },
      async source(p, hosts, ctx) {
        const a = adapter!;
        const acct = account!;
        inp.say(exchangeBanner({ venue, mode, account: accountName, config, info: p.info, rules: p.rules, wallet: p.wallet, skewMs: p.skewMs }));
        const client = createBybitClient({ restUrl: venue.publicRestUrl, wsUrl: venue.publicWsUrl, market, timeoutMs: config.exchange.request_timeout_ms });
        // The last preflight check of the start: the sizing at the current price, before anything is sent.
        enforcePreflight(await sizingStartCheck(config, client, p.rules, acct.portfolio.equity(), `the account's equity`, p.skewMs, gate.log), gate);
        const rc: ReconcileContext = {
          api, adapter: a, account: acct, market, symbols: p.symbols, rules: p.rules, events: new ReconciliationEventWriter(ctx.db, ctx.runId),
          log: log.child({ component: 'reconcile' }), say: inp.say, label: `account ${accountName} on ${venue.label}`, onForeign: config.live.on_foreign_position,
        };
        // The stream first, so nothing executed during the reconciliation is missed.
        stream = openPrivateStream({
          url: venue.privateWsUrl, apiKey: inp.secrets.apiKey!, secret: inp.secrets.apiSecret!, market, instruments: p.rules,
          pingIntervalMs: config.exchange.ws_ping_interval_ms, stallTimeoutMs: config.exchange.ws_stall_timeout_ms,
          logger: log.child({ component: 'bybit-private-stream' }),
          onEvent(e) {
            if (e.type === 'execution') a.ingest(e.executions);
            else if (e.type === 'order') for (const o of e.orders) a.onOrderUpdate(o);
          },
        });
        rcx = rc;
        await reconcileAtStart(rc, ctx.db, ctx.runId);
        const live = await liveCandleSource({
          db: ctx.db, runId: ctx.runId, hosts, config, symbols: p.symbols, plan: p.plan, log, client, wsUrl: venue.publicWsUrl, stop: ctx.stop,
          refresh: () => report.refresh(),
          beforeStep: async () => {
            try {
              await a.settle({ streamUp: stream?.up === true });
            } catch (e) {
              log.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', error: (e as Error).message }, `executions could not be read before the step (${(e as Error).message}); they are booked with a later step`);
            }
          },
        });
        logStart(log.child({ runId: ctx.runId }), p.plan, carriedOver(acct, a.bookPositions()), live.fed);
        holes = live.holes;
        periodic = startPeriodicReconcile(rc, config.live.reconcile_interval_s * 1000);
        return live.source;
      },
      async onStep(s, acct) {
        openPositions = () => acct.portfolio.openPositions().length;
        report(s);
        // The step is committed: what it decided may go out now.
        await adapter!.sendQueued();
      },
      async end({ ctx, status, loop }) {
        periodic?.stop();
        let endFills = 0;
        // The orders the last step sent: their executions belong in this run's report.
        if (rcx !== undefined) {
          try {
            endFills = await settleAtEnd(rcx, ctx.db, ctx.runId, 5_000);
          } catch (e) {
            log.warn({ error: (e as Error).message }, `end of run: the last executions could not be read (${(e as Error).message}); the next start books them`);
          }
        }
        stream?.close();
        const eq = loop?.equity;
        const last = endFills > 0 || eq === undefined || eq.length === 0 ? (account?.portfolio.equity() ?? 0) : eq.at(eq.length - 1).equity;
        const resultsDir = await writeRunResults(ctx.db, ctx.runId, config.general.results_dir);
        return { runId: ctx.runId, status, steps: loop?.steps ?? 0, fills: (loop?.fills.length ?? 0) + endFills, finalEquity: last, resultsDir };
      },
    });
  } finally {
    periodic?.stop();
    stream?.close();
  }
}

function quoteOf(rules: ReadonlyMap<string, InstrumentRules>, symbols: readonly string[]): string {
  const quotes = new Set(symbols.map((s) => rules.get(s)?.quote ?? ''));
  if (quotes.size !== 1 || quotes.has('')) {
    throw new CtError('CT_ERR_CONFIG_INVALID', `market.symbols = ${symbols.join(',')}: an exchange account trades symbols of one quote coin (found ${[...quotes].join(', ')})`, {
      details: { key: 'market.symbols', value: symbols.join(',') },
    });
  }
  return [...quotes][0]!;
}

export type { ExchangeVenue };
