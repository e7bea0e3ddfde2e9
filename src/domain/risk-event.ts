/**
 * A state change of the risk gate worth recording on its own: an account-level breaker tripping
 * or clearing. Only the breakers that hold for a while produce events (the per-signal checks are
 * decisions); the loop drains them into `risk_events` after every step.
 */
import type { RiskReasonCode } from './risk-decision.ts';

/** The breakers that trip and clear over time (drawdown halt: for the rest of the run; daily loss: until the next UTC day). */
export type BreakerCode = Extract<RiskReasonCode, 'DRAWDOWN_HALT' | 'DAILY_LOSS_LIMIT'>;

export interface RiskEvent {
  readonly ts: number;
  readonly code: BreakerCode;
  readonly kind: 'tripped' | 'cleared';
  readonly message: string;
}
