/**
 * `npm run fake-bybit -- [--port N] [--csv FILE --symbol BTCUSDT --category spot] [--timeframe 1h]
 *                        [--synthetic --seed N --symbols BTCUSDT,ETHUSDT --from 2024-01-01 --count 5000]
 *                        [--now ISO] [--speed X] [--account KEY:SECRET[:USDT=10000,BTC=1]]... [--rate-limit /v5/order/create=5]...`
 *
 * Starts the fake Bybit v5 exchange on 127.0.0.1 for running the daemon by hand. Point the config at
 * it with `exchange.rest_url = http://127.0.0.1:PORT` and `exchange.ws_url = ws://127.0.0.1:PORT`.
 * The fake clock starts at --now (default: half-way through the newest candle, so it is forming)
 * and, with --speed X > 0, runs at X times real time, pushing closed candles over the WebSocket.
 * Its admin endpoint (`/__admin/` on the same port) injects faults, moves the clock and lists the
 * candles it closed and pushed: docs/exchange.md "Admin endpoint" has curl examples.
 */
import { Command } from 'commander';
import { parseDateMs, isoUtc } from '../src/core/time.ts';
import { parseTimeframe, timeframeMs } from '../src/core/timeframe.ts';
import { startFakeBybit } from '../tests/support/fake-bybit/server.ts';
import { serveFromCsv, serveSynthetic } from '../tests/support/fake-bybit/sources.ts';
import type { AccountSpec } from '../tests/support/fake-bybit/accounts.ts';

const program = new Command('fake-bybit')
  .option('--port <n>', 'TCP port on 127.0.0.1 (0 = ephemeral)', '0')
  .option('--csv <file>', 'serve candles from a CSV (timestamp,open,high,low,close,volume)')
  .option('--symbol <id>', 'Bybit market id for --csv', 'BTCUSDT')
  .option('--category <c>', 'spot or linear', 'spot')
  .option('--timeframe <tf>', 'timeframe of the served candles', '1h')
  .option('--synthetic', 'serve seeded synthetic candles')
  .option('--seed <n>', 'synthetic seed', '1')
  .option('--symbols <ids>', 'synthetic market ids, comma-separated', 'BTCUSDT,ETHUSDT')
  .option('--from <date>', 'synthetic first candle', '2024-01-01')
  .option('--count <n>', 'synthetic candles per symbol', '10000')
  .option('--now <date>', 'initial fake time (default: middle of the newest candle)')
  .option('--speed <x>', 'clock speed vs real time (0 = frozen)', '0')
  .option('--account <spec>', 'a private API account KEY:SECRET[:COIN=AMOUNT,...] (repeatable; default balance USDT=10000)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--rate-limit <spec>', "a private path's limit per second PATH=N, e.g. /v5/order/create=5 (repeatable; default Bybit's table)", (v: string, prev: string[]) => [...prev, v], [] as string[]);
program.parse();
const o = program.opts<Record<string, string | boolean | undefined>>();

/** KEY:SECRET[:COIN=AMOUNT,...]; a bad spec exits 2 naming it (the secret is never echoed). */
function parseAccount(spec: string): AccountSpec {
  const [apiKey = '', secret = '', bal] = spec.split(':');
  const fail = (why: string): never => {
    console.error(`fake-bybit: --account ${apiKey}:***: ${why}`);
    process.exit(2);
  };
  if (apiKey === '' || secret === '') fail('expected KEY:SECRET[:COIN=AMOUNT,...]');
  const balances: Record<string, number> = {};
  for (const part of (bal ?? 'USDT=10000').split(',')) {
    const [coin = '', amount = ''] = part.split('=');
    if (coin === '' || !(Number(amount) >= 0)) fail(`balance ${JSON.stringify(part)} is not COIN=AMOUNT`);
    balances[coin] = Number(amount);
  }
  return { apiKey, secret, balances };
}

const tf = parseTimeframe(String(o['timeframe']), '--timeframe');
const tfMs = timeframeMs(tf);
const category = o['category'] === 'linear' ? 'linear' : 'spot';
const o2 = program.opts<{ account: string[]; rateLimit: string[] }>();
const accounts = o2.account.map(parseAccount);
const rateLimits: Record<string, number> = {};
for (const spec of o2.rateLimit) {
  const [path = '', n = ''] = spec.split('=');
  if (!path.startsWith('/v5/') || !(Number.isInteger(Number(n)) && Number(n) >= 1)) {
    console.error(`fake-bybit: --rate-limit ${JSON.stringify(spec)} is not /v5/PATH=N (N an integer >= 1)`);
    process.exit(2);
  }
  rateLimits[path] = Number(n);
}
const server = await startFakeBybit({ port: Number(o['port']), accounts, rateLimits });
let newest = 0;
if (typeof o['csv'] === 'string') {
  const r = serveFromCsv(server, o['csv'], category, String(o['symbol']), tf);
  newest = r.last;
  console.error(`fake-bybit: ${r.rows} candles of ${String(o['symbol'])} (${category} ${tf}) ${isoUtc(r.first)} .. ${isoUtc(r.last)} from ${o['csv']}`);
}
if (o['synthetic'] === true) {
  const from = parseDateMs(String(o['from']), '--from');
  const count = Number(o['count']);
  const ids = String(o['symbols']).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  serveSynthetic(server, { seed: Number(o['seed']), ids, category, timeframe: tf, from, count });
  newest = Math.max(newest, from + (count - 1) * tfMs);
  console.error(`fake-bybit: ${count} synthetic candles each of ${ids.join(', ')} (${category} ${tf}, seed ${String(o['seed'])})`);
}
server.setNow(typeof o['now'] === 'string' ? parseDateMs(o['now'], '--now') : newest + tfMs / 2);
const speed = Number(o['speed']);
if (speed > 0) server.startReplay(speed);
// The one line on stdout: scripts can read the port and the admin URL from it.
console.log(JSON.stringify({ port: server.port, restUrl: server.restUrl, wsUrl: server.wsUrl, adminUrl: server.adminUrl, now: isoUtc(server.now()), speed, accounts: server.accountKeys() }));
console.error(`fake-bybit: admin endpoint ${server.adminUrl} (faults, clock, candles; e.g. curl -s -X POST -d '{"kind":"skip_push","count":3}' ${server.adminUrl}/faults)`);
const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
