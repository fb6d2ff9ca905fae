import type { ChildProcess } from 'node:child_process';

// A child process whose output lines can be awaited with a deadline (no sleeps): a line that matches,
// or its exit. Output is kept so that a failure message can show what the process said.

export class LineChild {
  private out = '';
  private err = '';
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    const poke = () => this.waiters.forEach((w) => w());
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      poke();
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
      poke();
    });
    if (child.exitCode !== null || child.signalCode !== null) this.exitCode = child.exitCode;
    child.once('close', (code) => {
      this.exitCode = code;
      poke();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  output(): string {
    return `${this.out}${this.err ? `\n[stderr]\n${this.err}` : ''}`;
  }

  write(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Resolves with the first match of `re` in stdout+stderr (searched from `from`), rejecting on exit or deadline. */
  waitForLine(re: RegExp, timeoutMs: number, what: string, from = 0): Promise<RegExpMatchArray> {
    return this.until(() => {
      const m = (this.out + this.err).slice(from).match(re);
      if (m) return m;
      if (this.exitCode !== undefined) throw new Error(`${what} exited (${this.exitCode}) before printing ${re}:\n${this.output()}`);
      return undefined;
    }, timeoutMs, `${what} to print ${re}`);
  }

  /** Waits for the process to end; resolves with its exit code (null when killed by a signal). */
  exited(timeoutMs: number): Promise<number | null> {
    return this.until(() => (this.exitCode !== undefined ? { code: this.exitCode } : undefined), timeoutMs, 'the process to exit').then((r) => r.code);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exitCode === undefined) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not ended within 3 s. */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    try {
      await this.exited(3000);
    } catch {
      this.child.kill('SIGKILL');
      await this.exited(3000).catch(() => undefined);
    }
  }

  private until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
      };
      const waiter = () => {
        try {
          const v = check();
          if (v === undefined) return;
          done();
          resolve(v);
        } catch (e) {
          done();
          reject(e as Error);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Output so far:\n${this.output()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter();
    });
  }
}
