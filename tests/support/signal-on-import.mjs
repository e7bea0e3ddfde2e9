// Preloaded with `--import` by tests: sends the signal named by CT_TEST_SIGNAL (default SIGTERM)
// to this process the first time a module whose URL contains CT_TEST_SIGNAL_ON_IMPORT is
// resolved, i.e. at a chosen point of the CLI's start-up, while it is still loading modules. The
// hooks run on the loader thread; the signal reaches the process as one from outside would.
import { register } from 'node:module';

const hooks = `
let sent = false;
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const on = process.env.CT_TEST_SIGNAL_ON_IMPORT;
  if (!sent && on && r.url.includes(on)) {
    sent = true;
    process.kill(process.pid, process.env.CT_TEST_SIGNAL || 'SIGTERM');
  }
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
