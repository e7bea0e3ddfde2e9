import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCtError } from '../core/errors.ts';
import { TIMEFRAME_NAMES } from '../core/timeframe.ts';
import { scrub, scrubDeep } from '../observability/scrub.ts';
import type { StrategyInputs } from '../strategy-sdk/schema.ts';
import type { BacktestLauncher } from './backtest-launcher.ts';
import { backtestSets, MAX_BODY_BYTES } from './backtest-request.ts';
import { hostAllowed, postRefusal, readJsonBody } from './http-guard.ts';
import { DASHBOARD_CSS, DASHBOARD_HTML, dashboardScript } from './page/dashboard-page.ts';
import { RUN_FILES, runFilePath, runFilesPresent } from './run-files.ts';
import type { DashboardRun, RunStore } from './run-store.ts';

/** A strategy as the dashboard lists it (what `strategies list` shows). */
export interface StrategyInfo {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly source: string;
  readonly universe: boolean;
  readonly inputs: StrategyInputs;
}

export interface DashboardOptions {
  /** 0 = any free port. Always on 127.0.0.1. */
  readonly port: number;
  readonly store: RunStore;
  readonly launcher: BacktestLauncher;
  readonly strategies: readonly StrategyInfo[];
  readonly brokenStrategies: ReadonlyArray<{ file: string; error: string }>;
  /** What the form starts with: the config's market and backtest period. */
  readonly defaults: { readonly strategy: string; readonly symbols: string; readonly timeframe: string; readonly from: string; readonly to: string };
  /** The CLI's own checks of a backtest's overrides (config validation, schema, cross-parameter rule); throws a CtError, else gives the period. */
  readonly checkBacktest: (sets: readonly string[]) => Promise<{ fromTs: number; toTs: number }>;
  /** Backtests the form may have running at once (the cores of the machine). */
  readonly maxConcurrentBacktests: number;
  /** lightweight-charts' standalone build, served to the page (no CDN). */
  readonly chartLibraryFile: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;
interface Route { readonly pattern: RegExp; readonly get?: Handler; readonly post?: Handler }

const RUN_ID = '([A-Za-z0-9._:-]{1,200})';

/**
 * The local dashboard over node:http: a handful of routes, nothing a framework would add. It
 * reads (strategies, runs, equity, reports) and starts backtests; there is no route that deletes,
 * stops or edits anything, and any method other than the route's own is 405.
 */
export function createDashboard(o: DashboardOptions): { server: Server; listen(): Promise<string> } {
  let port = o.port;
  const inputsOf = (id: string): StrategyInputs | undefined => o.strategies.find((s) => s.id === id)?.inputs;

  const routes: Route[] = [
    { pattern: /^\/$/, get: (_q, res) => send(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML, PAGE_CSP) },
    { pattern: /^\/assets\/dashboard\.css$/, get: (_q, res) => send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS) },
    { pattern: /^\/assets\/dashboard\.js$/, get: (_q, res) => send(res, 200, 'text/javascript; charset=utf-8', dashboardScript()) },
    { pattern: /^\/assets\/lightweight-charts\.js$/, get: (_q, res) => sendFile(res, o.chartLibraryFile, 'text/javascript; charset=utf-8') },
    {
      pattern: /^\/api\/strategies$/,
      get: (_q, res) => json(res, 200, { strategies: o.strategies, broken: o.brokenStrategies, defaults: o.defaults, timeframes: TIMEFRAME_NAMES }),
    },
    {
      pattern: /^\/api\/runs$/,
      get: (_q, res) => json(res, 200, { runs: runListing(o.store) }),
    },
    {
      pattern: new RegExp(`^/api/runs/${RUN_ID}$`),
      get: (_q, res, [id]) => {
        const run = o.store.get(id!);
        if (run === undefined) return json(res, 404, { error: `no run "${id}" in the state database` });
        const { resultsDir, ...shown } = run;
        return json(res, 200, { run: shown, files: runFilesPresent(resultsDir), ...o.store.activity(run.id) });
      },
    },
    {
      pattern: new RegExp(`^/api/runs/${RUN_ID}/equity$`),
      get: (_q, res, [id]) => (o.store.get(id!) === undefined ? json(res, 404, { error: `no run "${id}" in the state database` }) : json(res, 200, { id, equity: o.store.equity(id!) })),
    },
    {
      pattern: new RegExp(`^/runs/${RUN_ID}/([a-z.]+)$`),
      get: (_q, res, [id, name]) => {
        const dir = o.store.get(id!)?.resultsDir;
        const file = dir === undefined ? undefined : runFilePath(dir, name!);
        if (file === undefined) return json(res, 404, { error: `run "${id}" has no ${name} (served: ${Object.keys(RUN_FILES).join(', ')})` });
        return sendFile(res, file, RUN_FILES[name!]!, name === 'report.html' ? REPORT_CSP : undefined);
      },
    },
    {
      pattern: /^\/api\/backtests$/,
      get: (_q, res) => json(res, 200, { jobs: o.launcher.list() }),
      post: async (req, res) => {
        const refused = postRefusal(req, port);
        if (refused !== undefined) return json(res, 415, { error: refused });
        // A backtest takes a core: more at once than there are cores only makes each one slower.
        if (o.launcher.running() >= o.maxConcurrentBacktests) return json(res, 429, { error: `${o.launcher.running()} backtests are running (at most ${o.maxConcurrentBacktests} at once): start this one when one has ended` });
        let body: unknown;
        try {
          body = await readJsonBody(req, MAX_BODY_BYTES);
        } catch (e) {
          return json(res, 400, { error: (e as Error).message });
        }
        try {
          const sets = backtestSets(body, inputsOf);
          const period = await o.checkBacktest(sets);
          return json(res, 202, { job: o.launcher.start(sets, period) });
        } catch (e) {
          if (!isCtError(e)) throw e;
          return json(res, 400, { error: e.message, code: e.code });
        }
      },
    },
    {
      pattern: /^\/api\/backtests\/(job-\d{1,9})$/,
      get: (_q, res, [id]) => {
        const job = o.launcher.get(id!);
        return job === undefined ? json(res, 404, { error: `no job "${id}"` }) : json(res, 200, { job });
      },
    },
  ];

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: scrub(e instanceof Error ? e.message : String(e)) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return json(res, 403, { error: 'this dashboard answers only requests addressed to 127.0.0.1 or localhost on its port' });
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (m === null) continue;
      const h = req.method === 'GET' || req.method === 'HEAD' ? r.get : req.method === 'POST' ? r.post : undefined;
      if (h === undefined) {
        res.setHeader('Allow', [r.get ? 'GET, HEAD' : '', r.post ? 'POST' : ''].filter((x) => x !== '').join(', '));
        return json(res, 405, { error: `${req.method} is not allowed on ${path}` });
      }
      let params: string[];
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        return json(res, 404, { error: `no such page: ${path}` });
      }
      return h(req, res, params);
    }
    // Nothing but GET reads anything, and the only thing that changes state is POST /api/backtests.
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `${req.method} is not allowed on ${path}` });
    return json(res, 404, { error: `no such page: ${path}` });
  }

  return {
    server,
    listen: () =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        // 127.0.0.1 only, never all interfaces: the dashboard starts backtests and shows every run.
        server.listen(o.port, '127.0.0.1', () => {
          port = (server.address() as AddressInfo).port;
          resolveListen(`http://127.0.0.1:${port}/`);
        });
      }),
  };
}

/** The run list as the page gets it: each run with the names of its report files, without server paths. */
export function runListing(store: RunStore): Array<Omit<DashboardRun, 'resultsDir'> & { files: string[] }> {
  return store.list().map(({ resultsDir, ...r }) => ({ ...r, files: runFilesPresent(resultsDir) }));
}

/**
 * Nothing from elsewhere, ever. The dashboard page runs only our script files; a run's
 * report.html is one self-contained file with its chart code inline, so it may run inline
 * scripts, and may reach nothing at all.
 */
const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
const REPORT_CSP = "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'";

function headers(res: ServerResponse, type: string, csp = "default-src 'none'"): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', csp);
}

function send(res: ServerResponse, status: number, type: string, body: string, csp?: string): void {
  headers(res, type, csp);
  res.statusCode = status;
  res.end(body);
}

/** Every JSON answer passes the secret scrubber: no secret value reaches a page, whichever field holds it. */
function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', scrub(JSON.stringify(scrubDeep(value))));
}

function sendFile(res: ServerResponse, file: string, type: string, csp?: string): void {
  headers(res, type, csp);
  res.statusCode = 200;
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
