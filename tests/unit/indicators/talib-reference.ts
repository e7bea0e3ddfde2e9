import { createRequire } from 'node:module';

/**
 * TA-Lib reference outputs from the C library compiled to WebAssembly (dev dependency talib-web).
 *
 * We call the C entry points (TA_SMA, TA_MACD, ...) directly through the Emscripten module
 * instead of talib-web's JS wrapper, because that wrapper passes endIdx = length (one past the
 * last element, so TA-Lib reads one uninitialised value and the last output is garbage) and
 * passes NULL for outBegIdx/outNBElement. Here: endIdx = length-1, real pointers, and outputs
 * are placed at their true index (NaN before outBegIdx), i.e. the same shape as ours.
 */
interface EmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPF64: Float64Array;
  HEAP32: Int32Array;
  ccall(name: string, ret: string, argTypes: string[], args: number[]): number;
}

const require = createRequire(import.meta.url);
let mod: EmModule | undefined;

/** Loads the wasm once. Node 20 has `fetch`, which makes Emscripten try to fetch a file path; hide it. */
export async function initTalib(): Promise<void> {
  if (mod) return;
  const talib = require('talib-web') as { init(path?: string): Promise<EmModule> };
  const wasmPath = require.resolve('talib-web/lib/talib.wasm');
  const g = globalThis as { fetch?: unknown };
  const savedFetch = g.fetch;
  g.fetch = undefined;
  try {
    mod = await talib.init(wasmPath);
  } finally {
    g.fetch = savedFetch;
  }
}

export interface TalibOut {
  begIdx: number;
  outputs: Float64Array[];
}

/**
 * Calls TA_<name>(startIdx=0, endIdx=len-1, ...inputs, ...options, &outBeg, &outNb, ...outputs).
 * Options are passed as numbers; the wasm signature decides int vs double.
 */
export function callTalib(name: string, inputs: ArrayLike<number>[], options: number[], nOutputs: number): TalibOut {
  if (!mod) throw new Error('initTalib() first');
  const m = mod;
  const len = inputs[0]!.length;
  const ptrs: number[] = [];
  const alloc = (bytes: number): number => {
    const p = m._malloc(bytes);
    ptrs.push(p);
    return p;
  };
  try {
    const inPtrs = inputs.map((arr) => {
      const p = alloc(len * 8);
      m.HEAPF64.set(arr as ArrayLike<number>, p / 8);
      return p;
    });
    const begPtr = alloc(8);
    const nbPtr = alloc(8);
    const outPtrs = Array.from({ length: nOutputs }, () => alloc(len * 8));
    const args = [0, len - 1, ...inPtrs, ...options, begPtr, nbPtr, ...outPtrs];
    const rc = m.ccall(`TA_${name}`, 'number', args.map(() => 'number'), args);
    if (rc !== 0) throw new Error(`TA_${name} returned code ${rc}`);
    const beg = m.HEAP32[begPtr / 4]!;
    const nb = m.HEAP32[nbPtr / 4]!;
    const outputs = outPtrs.map((p) => {
      const out = new Float64Array(len).fill(NaN);
      out.set(m.HEAPF64.subarray(p / 8, p / 8 + nb), beg);
      return out;
    });
    return { begIdx: nb === 0 ? len : beg, outputs };
  } finally {
    for (const p of ptrs) m._free(p);
  }
}
