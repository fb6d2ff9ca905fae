// conf → atomically → when-exit hooks every signal once and, after its own cleanup, re-raises the same
// signal on this process. So one SIGTERM from outside arrives here twice, a few milliseconds apart. A
// repeat within ECHO_WINDOW_MS is that echo; a later one is the user insisting (Ctrl-C again).
const ECHO_WINDOW_MS = 1000;
/** A graceful shutdown that takes longer than this is cut short. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** Resolves on the first SIGINT or SIGTERM; a repeat more than a second later forces the exit. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const on = (sig: NodeJS.Signals) => {
      const now = Date.now();
      if (firstAt === undefined) {
        firstAt = now;
        // If stopping hangs (a peer that never closes), exit anyway.
        setTimeout(() => {
          process.stderr.write(`porthole: shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s — exiting now\n`);
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS).unref();
        resolve(sig);
      } else if (now - firstAt > ECHO_WINDOW_MS) {
        process.stderr.write('porthole: second signal — exiting without a clean shutdown\n');
        process.exit(130);
      }
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
