import { setFlagsFromString } from 'node:v8';

// A thread that moves bytes gets no V8 memory reducer.
//
// The memory reducer is V8's idle-time collector: after a full collection it looks every 8 s for a
// quiet mutator and, failing that, starts a "Mark-Compact (reduce)" anyway once 100 s have passed (its
// watchdog). In a data plane carrying transfer after transfer that watchdog collection lands inside a
// transfer — measured with `iperf3 -t 10` back to back, 2 s apart, through `porthole forward`: a 42–71
// ms full collection in the data plane in 3 of 9 such runs, whatever idle-gc.ts did. The data plane
// has its own idle collector (idle-gc.ts) that only runs when the thread has been quiet for a second,
// so the reducer adds nothing there but that stray collection.
//
// V8 decides whether an isolate has a memory reducer when the isolate's heap is set up, from a
// process-wide flag: the flag is cleared just before the worker is made and set again once the worker
// runs (its 'online' event) or fails to start. The main thread's isolate already exists and keeps its
// reducer. A thread another part of the process starts in that window (milliseconds) gets no reducer
// either: harmless, it only keeps its heap a little larger while idle. A process started with
// --no-memory-reducer keeps it off everywhere.

let pending = 0;
/** What is needed of the worker: its start and end events. */
interface Made {
  once(event: 'online' | 'error' | 'exit', listener: () => void): unknown;
}

/**
 * Makes a worker (with `make`) whose isolate has no memory reducer. `setFlags` and `execArgv` are
 * V8's and the process's (tests pass their own).
 */
export function withoutMemoryReducer<W extends Made>(make: () => W, setFlags = setFlagsFromString, execArgv = process.execArgv): W {
  const settle = () => {
    if (--pending === 0 && !execArgv.includes('--no-memory-reducer')) setFlags('--memory-reducer');
  };
  setFlags('--no-memory-reducer');
  pending++;
  let worker: W;
  try {
    worker = make();
  } catch (err) {
    settle();
    throw err;
  }
  let settled = false;
  const once = () => {
    if (settled) return;
    settled = true;
    settle();
  };
  worker.once('online', once);
  worker.once('error', once);
  worker.once('exit', once);
  return worker;
}
