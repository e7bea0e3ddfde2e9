export type { ExecutionAdapter } from './execution-adapter.ts';
export { SimulatedExecution, type FillModelConfig, type SimulatedExecutionDeps } from './simulated-execution.ts';
export type { FundingHistory } from './funding-schedule.ts';
export { fillModelAssumptions } from './assumptions.ts';
