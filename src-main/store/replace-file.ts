import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Replaces `file` with `text` in one step: the text goes to a temporary file beside it (with `mode`),
 * which is then renamed over `file`, so a reader sees the old file or the new one, never half of one.
 * If anything fails, the temporary file this made is removed (it may hold secrets or a private key)
 * and the error is thrown; `file` is left as it was.
 */
export function replaceFile(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // not a file (a directory in its place): not ours to remove
    }
    throw err;
  }
}
