import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Seeing a strategy file change while the daemon runs (hot reload). Editors save in bursts (a
 * truncate and a write, or a new file renamed over the old one, several events within a few ms),
 * so each file is reported once, `delayMs` after its LAST event. A rename replaces the file's
 * inode, which a watch on the file itself would lose: the DIRECTORIES holding the files are
 * watched and events filtered by file name.
 */

/** Calls `fire(key)` once per burst of `touch(key)`, `delayMs` after the last touch of that key. */
export class Debouncer<K> {
  private readonly timers = new Map<K, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly delayMs: number,
    private readonly fire: (key: K) => void,
  ) {}

  touch(key: K): void {
    if (this.closed) return;
    const t = this.timers.get(key);
    if (t !== undefined) clearTimeout(t);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(key);
    }, this.delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Keys with a burst in progress (not fired yet). */
  get waiting(): number {
    return this.timers.size;
  }

  /** Drops every burst in progress; later touches do nothing. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

export interface FileWatch {
  close(): void;
}

/**
 * Watches `files` (absolute or relative paths) and calls `onChange(file)` with the path as given,
 * once per burst of changes, `debounceMs` after its last event. A directory that cannot be watched
 * is reported through `onError` and the others are still watched. Does not keep the process alive.
 */
export function watchFiles(files: readonly string[], debounceMs: number, onChange: (file: string) => void, onError: (dir: string, e: Error) => void): FileWatch {
  const byDir = new Map<string, Map<string, string>>();
  for (const f of files) {
    const abs = resolve(f);
    const dir = dirname(abs);
    let names = byDir.get(dir);
    if (names === undefined) byDir.set(dir, (names = new Map()));
    names.set(basename(abs), f);
  }
  const debouncer = new Debouncer<string>(debounceMs, onChange);
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        // Some platforms give no name; then every watched file of the folder may have changed.
        if (name === null || name === undefined) for (const f of names.values()) debouncer.touch(f);
        else {
          const f = names.get(String(name));
          if (f !== undefined) debouncer.touch(f);
        }
      });
      w.on('error', (e) => onError(dir, e));
      watchers.push(w);
    } catch (e) {
      onError(dir, e as Error);
    }
  }
  return {
    close() {
      debouncer.close();
      for (const w of watchers) w.close();
    },
  };
}
