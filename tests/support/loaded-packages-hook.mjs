// Preloaded with `--import` (the startup bench, the built-CLI test) in a run of a command: appends the
// package of every module the command imports to the file named by CT_LOADED_PACKAGES_FILE, so
// a bench or test can say whether a command loads a library it never uses.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
const out = process.env.CT_LOADED_PACKAGES_FILE;
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (out && m) appendFileSync(out, m[1] + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
