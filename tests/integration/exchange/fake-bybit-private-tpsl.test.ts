import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'tpslkey0001';
const SECRET = 'tpslsecret0001';
const FEE = 0.001;

/** Close 2000 every hour, range 1990..2010, except hours 6 and 8 which dip to 1900. */
function candles(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * H; c.open[i] = 2000; c.close[i] = 2000; c.high[i] = 2010; c.low[i] = i === 6 || i === 8 ? 1900 : 1990; c.volume[i] = 1;
  }
  return c;
}

describe('fake Bybit position TP/SL triggered on the candles it serves', () => {
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 5 * H + 60_000, takerFee: FEE, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, candles(24));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('closes a long at its stop-loss when a closed candle trades through it, and books the close as an execution', async () => {
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'tpsl-long', stopLoss: { triggerPrice: 1950 }, takeProfit: { triggerPrice: 2100 } });
    const [pos] = await ex.fetchPositions(['ETH/USDT:USDT']);
    expect(pos).toMatchObject({ contracts: 0.1, side: 'long', stopLossPrice: 1950, takeProfitPrice: 2100 });

    server.setNow(T0 + 6 * H + H / 2); // hour 6 (low 1900) is forming: not yet a closed candle
    expect(server.account(KEY)!.positions).toHaveLength(1);
    server.setNow(T0 + 7 * H + 60_000); // hour 6 closed
    expect(server.account(KEY)!.positions).toHaveLength(0);

    const trades = await ex.fetchMyTrades('ETH/USDT:USDT', T0);
    const close = trades.find((t) => t.side === 'sell')!;
    expect(close).toMatchObject({ price: 1950, amount: 0.1, timestamp: T0 + 7 * H });
    expect(close.fee?.cost).toBeCloseTo(0.1 * 1950 * FEE, 10);
    const closeOrder = server.account(KEY)!.orders.find((o) => o.orderId === close.order)!;
    expect(closeOrder).toMatchObject({ stopOrderType: 'StopLoss', reduceOnly: true, status: 'Filled' });
    // -5 USDT loss (0.1 x -50) and both fees.
    expect(server.account(KEY)!.balances['USDT']).toBeCloseTo(1000 - 5 - 0.1 * 2000 * FEE - 0.1 * 1950 * FEE, 8);
  });

  it('sets a short position take-profit with trading-stop, refuses one on the wrong side, and fires it once', async () => {
    await expect(ex.privatePostV5PositionTradingStop({ category: 'linear', symbol: 'ETHUSDT', takeProfit: '1950', positionIdx: 0 })).rejects.toThrow(/zero position/);
    await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.1, undefined, { clientOrderId: 'tpsl-short' });
    await expect(ex.privatePostV5PositionTradingStop({ category: 'linear', symbol: 'ETHUSDT', takeProfit: '2100', positionIdx: 0 })).rejects.toBeInstanceOf(ccxt.BadRequest);
    await ex.privatePostV5PositionTradingStop({ category: 'linear', symbol: 'ETHUSDT', takeProfit: '1950', tpslMode: 'Full', positionIdx: 0 });
    expect(server.account(KEY)!.positions[0]).toMatchObject({ size: -0.1, takeProfit: 1950, stopLoss: 0 });

    const execsBefore = server.account(KEY)!.executions.length;
    server.setNow(T0 + 10 * H); // hours 7, 8 (dip), 9 close
    const a = server.account(KEY)!;
    expect(a.positions).toHaveLength(0);
    expect(a.executions).toHaveLength(execsBefore + 1);
    expect(a.executions.at(-1)).toMatchObject({ side: 'Buy', execPrice: 1950, execQty: 0.1, execTime: T0 + 9 * H });
    expect(a.orders.at(-1)).toMatchObject({ stopOrderType: 'TakeProfit' });
    server.setNow(T0 + 12 * H);
    expect(server.account(KEY)!.executions).toHaveLength(execsBefore + 1);
  });

  it('refuses TP/SL on a spot order (not simulated yet) and a linear conditional order without triggerDirection instead of ignoring them', async () => {
    server.addCandles('spot', 'ETHUSDT', H, candles(24));
    await expect(ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '10', stopLoss: '1900' })).rejects.toThrow(/not simulate/);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2100' })).rejects.toThrow(/triggerDirection/);
  });
});
