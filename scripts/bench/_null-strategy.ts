/**
 * A strategy that decides nothing: used by scripts/bench/hosts.ts to measure what crossing the host
 * boundary and the runner's own bookkeeping (history, call per candle) cost, without strategy logic.
 */
import { defineStrategy } from '../../src/strategy-sdk/index.ts';

export default defineStrategy({
  schema: { id: 'null_strategy', name: 'Null strategy', version: '1.0.0', description: 'Emits no signals (benchmark only).', inputs: {} },
  onCandle() {},
});
