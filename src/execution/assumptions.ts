/**
 * The fill model's assumptions as short sentences a report prints verbatim ("Assumptions"), so a
 * reader knows exactly how optimistic or conservative the simulated fills were.
 */
import type { FillModelConfig } from './simulated-execution.ts';

export function fillModelAssumptions(cfg: FillModelConfig): string[] {
  const out: string[] = [];
  out.push(
    cfg.fillModel === 'next_open'
      ? 'Market orders decided on a closed candle fill at the OPEN of the next candle of that symbol (after a data gap: the next available candle).'
      : 'Market orders fill at the CLOSE of the candle they were decided on (close-to-close model: optimistic, no delay; for comparison with vectorised tools).',
  );
  out.push(`Market and stop orders pay the taker fee of ${cfg.takerFeeBps} bps of notional; take-profits are resting limits and pay the maker fee of ${cfg.makerFeeBps} bps.`);
  out.push(
    cfg.slippageModel === 'fixed'
      ? `Slippage is adverse and fixed: ${cfg.slippageBps} bps on market, stop and end-of-run fills; none on take-profits.`
      : `Slippage is adverse and volatility-scaled: ${cfg.atrSlippageMult} x ATR(${cfg.atrPeriod}) / price (in bps; ${cfg.slippageBps} bps while ATR warms up); none on take-profits.`,
  );
  out.push('Stops and take-profits trigger intrabar from the candle high/low, from the candle of the entry fill onwards (an entry at the open can be stopped in the same candle).');
  out.push('When a stop and a take-profit are both inside one candle, the stop is assumed to have filled first (the worse outcome).');
  out.push('An open already through a stop fills the stop at the open (plus slippage); an open already through a take-profit fills it at the open (the better price).');
  out.push('Fills are whole (no partial fills, no volume cap); prices are not rounded to a tick size.');
  out.push('Reduce-only orders are clamped to the position and never open or flip one.');
  if (cfg.market === 'spot') {
    out.push('Spot is long-only: a sell larger than the position is clamped to the position and recorded.');
  } else {
    out.push(
      `Linear perpetuals: funding is settled at each stored funding time as qty x candle open x rate (longs pay when rate > 0); where history is missing, ` +
        `the fallback rate ${cfg.fundingFallbackRate} is used every ${cfg.fundingIntervalHours}h on the UTC grid, with a loud warning.`,
    );
    out.push('Funding at a candle open is settled on the positions held before that open’s fills; funding strictly inside a candle, on the positions after the open.');
  }
  out.push('Positions still open at the end of the run are closed at the last close (taker fee + slippage), flagged end_of_run.');
  return out;
}
