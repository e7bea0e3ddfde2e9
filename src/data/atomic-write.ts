/**
 * Crash-safe file replacement: write a temp file beside the target, fsync it, rename over the
 * target. rename(2) within one directory is atomic, so a reader (or a crash) sees either the
 * old file or the new one, never a half-written file. On any failure (ENOSPC, EACCES, EISDIR...)
 * the temp file is removed, the old file is untouched and CT_ERR_STORE_WRITE names the target.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CtError } from '../core/errors.ts';

/** Temp name for a target: per process, so two processes never share one (one writer per file inside a process). */
export function tempPathFor(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(tmp, 'w');
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; the original error is the one to report */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* temp may not exist (open failed) */
    }
    const errno = (e as NodeJS.ErrnoException).code ?? 'unknown';
    throw new CtError('CT_ERR_STORE_WRITE', `${file}: write failed (${errno}: ${(e as Error).message}); the previous file, if any, is intact`, {
      cause: e,
      details: { file, errno },
    });
  }
}
