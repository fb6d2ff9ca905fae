import { randomUUID } from 'node:crypto';
import type { HostKeyPrompt } from '../../src-shared/model/ssh';

export type HostKeyDecision = 'once' | 'always' | 'reject';

interface Pending {
  prompt: HostKeyPrompt;
  resolve: (d: HostKeyDecision) => void;
  timer: NodeJS.Timeout;
}

/**
 * Routes "is this host key OK?" from an SSH handshake to whoever is watching the UI, and the answer
 * back. Several connections asking about the same key share one prompt. Nobody answering within the
 * timeout counts as a rejection, so a headless host never hangs a handshake forever.
 */
export class HostKeyPrompts {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly emit: (p: HostKeyPrompt) => void,
    private readonly timeoutMs = 120_000,
  ) {}

  ask(p: Omit<HostKeyPrompt, 'promptId'>): Promise<HostKeyDecision> {
    for (const existing of this.pending.values()) {
      const q = existing.prompt;
      if (q.serverId === p.serverId && q.fingerprint === p.fingerprint) {
        return new Promise((resolve) => {
          const prev = existing.resolve;
          existing.resolve = (d) => {
            prev(d);
            resolve(d);
          };
        });
      }
    }
    const prompt: HostKeyPrompt = { ...p, promptId: randomUUID() };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(prompt.promptId, 'reject'), this.timeoutMs);
      timer.unref();
      this.pending.set(prompt.promptId, { prompt, resolve, timer });
      this.emit(prompt);
    });
  }

  /** False when the prompt is unknown (already answered, timed out, or never asked). */
  answer(promptId: string, decision: HostKeyDecision): boolean {
    const p = this.pending.get(promptId);
    if (!p) return false;
    this.pending.delete(promptId);
    clearTimeout(p.timer);
    p.resolve(decision);
    return true;
  }

  /** Prompts still waiting, for a window that opens after they were raised. */
  list(): HostKeyPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  /** Rejects everything still pending (shutdown). */
  dispose(): void {
    for (const id of [...this.pending.keys()]) this.answer(id, 'reject');
  }
}
