// Module resolve hook for import-recorder.mjs: passes every resolution on unchanged and appends
// the resolved URL to the log file.
import { appendFileSync } from 'node:fs';

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, nextResolve) {
  const r = await nextResolve(specifier, context);
  appendFileSync(out, `${r.url}\n`);
  return r;
}
