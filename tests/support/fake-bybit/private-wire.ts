/**
 * Bybit v5 wire shapes of the fake's private state (docs: order/open-order, order/order-list,
 * order/execution, position, account/wallet-balance): every number a decimal string, as Bybit sends.
 * ccxt reads these fields in parseOrder/parseTrade/parsePosition/parseBalance.
 */
import { round, type FakeAccount, type FakeExecution, type FakeOrder, type FakePosition } from './accounts.ts';
import { num } from './market-data.ts';

export function orderWire(o: FakeOrder): Record<string, unknown> {
  const leavesValue = o.orderType === 'Limit' ? round(o.leavesQty * Number(o.price)) : 0;
  return {
    orderId: o.orderId, orderLinkId: o.orderLinkId, blockTradeId: '', symbol: o.symbol, price: o.price, qty: o.qty, side: o.side,
    isLeverage: '', positionIdx: 0, orderStatus: o.status, cancelType: o.cancelType, rejectReason: o.rejectReason,
    avgPrice: o.avgPrice === 0 ? '' : num(o.avgPrice), leavesQty: num(o.leavesQty), leavesValue: num(leavesValue),
    cumExecQty: num(o.cumExecQty), cumExecValue: num(o.cumExecValue), cumExecFee: num(o.cumExecFee),
    timeInForce: o.timeInForce, orderType: o.orderType, stopOrderType: o.stopOrderType, orderIv: '', triggerPrice: o.triggerPrice === 0 ? '' : num(o.triggerPrice),
    takeProfit: '', stopLoss: '', tpTriggerBy: '', slTriggerBy: '', triggerDirection: o.triggerDirection, triggerBy: o.stopOrderType === '' ? '' : 'LastPrice',
    lastPriceOnCreated: o.lastPriceOnCreated, reduceOnly: o.reduceOnly, closeOnTrigger: o.closeOnTrigger,
    smpType: 'None', smpGroup: 0, smpOrderId: '', placeType: '', createdTime: num(o.createdTime), updatedTime: num(o.updatedTime),
    // ccxt tells a contract order from a spot one by the presence of tpslMode; spot orders carry marketUnit.
    ...(o.category === 'linear' ? { tpslMode: 'UNKNOWN', createType: createType(o.stopOrderType) } : { marketUnit: o.marketUnit }),
  };
}

/** Bybit's createType of a derivatives order (enum.mdx#createtype); spot orders have none. */
function createType(stopOrderType: FakeOrder['stopOrderType']): string {
  return stopOrderType === 'Stop' ? 'CreateByStopOrder' : stopOrderType === 'StopLoss' ? 'CreateByStopLoss' : stopOrderType === 'TakeProfit' ? 'CreateByTakeProfit' : 'CreateByUser';
}

export function executionWire(e: FakeExecution, seq: number): Record<string, unknown> {
  return {
    symbol: e.symbol, orderId: e.orderId, orderLinkId: e.orderLinkId, side: e.side, orderPrice: e.orderPrice, orderQty: e.orderQty, leavesQty: '0',
    createType: e.category === 'linear' ? createType(e.stopOrderType) : '', orderType: e.orderType, stopOrderType: e.stopOrderType, execFee: num(e.execFee), feeCurrency: e.feeCurrency,
    execId: e.execId, execPrice: num(e.execPrice), execQty: num(e.execQty), execType: 'Trade', execValue: num(e.execValue), execTime: num(e.execTime),
    isMaker: e.isMaker, feeRate: num(e.feeRate), tradeIv: '', markIv: '', markPrice: num(e.execPrice), indexPrice: '', underlyingPrice: '',
    blockTradeId: '', closedSize: '', seq, extraFees: '',
  };
}

export function positionWire(p: FakePosition | undefined, symbol: string, mark: number | undefined): Record<string, unknown> {
  const size = p?.size ?? 0;
  const avg = p?.avgPrice ?? 0;
  const lev = p?.leverage ?? 10;
  const m = mark ?? avg;
  const value = round(Math.abs(size) * avg);
  return {
    positionIdx: 0, riskId: 1, riskLimitValue: '2000000', symbol, side: size > 0 ? 'Buy' : size < 0 ? 'Sell' : '', size: num(Math.abs(size)),
    avgPrice: num(avg), positionValue: num(value), tradeMode: 0, positionStatus: 'Normal', autoAddMargin: 0, adlRankIndicator: size === 0 ? 0 : 2,
    leverage: num(lev), positionBalance: num(round(value / lev)), markPrice: num(m), liqPrice: '', bustPrice: '', positionMM: '0',
    positionIM: num(round(value / lev)), tpslMode: 'Full', takeProfit: num(p?.takeProfit ?? 0), stopLoss: num(p?.stopLoss ?? 0), trailingStop: '0',
    unrealisedPnl: num(round(size * (m - avg))), curRealisedPnl: num(p?.cumRealisedPnl ?? 0), cumRealisedPnl: num(p?.cumRealisedPnl ?? 0),
    seq: 1, isReduceOnly: false, mmrSysUpdatedTime: '', leverageSysUpdatedTime: '',
    createdTime: num(p?.createdTime ?? 0), updatedTime: num(p?.updatedTime ?? 0),
  };
}

/** One UNIFIED wallet; `markOf` prices linear positions for unrealised PnL. */
export function walletWire(acct: FakeAccount, coins: readonly string[] | undefined, markOf: (symbol: string) => number | undefined): Record<string, unknown> {
  let upnl = 0;
  for (const p of acct.positions.values()) upnl += p.size * ((markOf(p.symbol) ?? p.avgPrice) - p.avgPrice);
  upnl = round(upnl);
  const im = acct.positionMargin();
  const list = [...acct.balances.entries()].filter(([c]) => coins === undefined || coins.includes(c)).sort(([a], [b]) => a.localeCompare(b)).map(([coin, bal]) => {
    // Positions settle in USDT in this fake, so margin and unrealised PnL sit on that coin.
    const isSettle = coin === 'USDT';
    return {
      coin, equity: num(round(bal + (isSettle ? upnl : 0))), usdValue: '', walletBalance: num(bal), free: '', locked: '0', spotHedgingQty: '0',
      borrowAmount: '0', accruedInterest: '0', totalOrderIM: '0', totalPositionIM: num(isSettle ? im : 0), totalPositionMM: '0',
      unrealisedPnl: num(isSettle ? upnl : 0), cumRealisedPnl: '0', bonus: '0', marginCollateral: true, collateralSwitch: true, availableToWithdraw: '',
    };
  });
  const usdt = acct.balance('USDT');
  return {
    list: [{
      accountType: 'UNIFIED', accountIMRate: '0', accountMMRate: '0', totalEquity: num(round(usdt + upnl)), totalWalletBalance: num(usdt),
      totalMarginBalance: num(round(usdt + upnl)), totalAvailableBalance: num(round(usdt + upnl - im)), totalPerpUPL: num(upnl),
      totalInitialMargin: num(im), totalMaintenanceMargin: '0', accountLTV: '0', coin: list,
    }],
  };
}
