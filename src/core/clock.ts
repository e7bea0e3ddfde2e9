/**
 * Wall time, injected where the daemon waits on the world. The decision path never reads a clock
 * (its time is the step's candle time, see src/engine/candle-loop.ts); what does is the live-step
 * grace period (how long a step waits for a late symbol), so a test can drive it exactly with a
 * simulated clock instead of sleeping.
 */
export interface Clock {
  /** Current time in UTC epoch ms. */
  now(): number;
  /**
   * Resolves once `ms` of this clock's time has passed. `cancel` drops the wait (its promise then
   * never resolves), so a caller racing it against other work leaves no timer behind.
   */
  sleep(ms: number): { readonly done: Promise<void>; cancel(): void };
}

/** The wall clock: forward and live sessions. */
export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number): { readonly done: Promise<void>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms));
    });
    return { done, cancel: () => clearTimeout(timer) };
  }
}

/** A clock that moves only when told to (tests): sleepers wake when `advanceTo` passes their deadline. */
export class SimulatedClock implements Clock {
  private t: number;
  private sleepers: Array<{ readonly at: number; readonly wake: () => void }> = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): { readonly done: Promise<void>; cancel(): void } {
    let entry: { readonly at: number; readonly wake: () => void } | undefined;
    const done = new Promise<void>((resolve) => {
      entry = { at: this.t + Math.max(0, ms), wake: resolve };
    });
    if (entry!.at <= this.t) entry!.wake();
    else this.sleepers.push(entry!);
    return { done, cancel: () => { this.sleepers = this.sleepers.filter((s) => s !== entry); } };
  }

  /** Moves time forward (never backwards) and wakes every sleeper whose deadline has come. */
  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
}
