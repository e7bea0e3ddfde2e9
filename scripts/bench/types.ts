export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. ">= 1,000,000 candles/s". */
  target?: string;
  pass?: boolean;
}
