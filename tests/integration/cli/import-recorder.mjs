// Preload (`node --import ./import-recorder.mjs`): records the URL of every module the process
// resolves, one per line, into the file named by CT_IMPORT_LOG. Used to prove what a command loads.
import { register } from 'node:module';

if (process.env.CT_IMPORT_LOG) {
  register('./import-recorder-hooks.mjs', import.meta.url, { data: { out: process.env.CT_IMPORT_LOG } });
}
