import { runCli } from './run-cli';

// Entry of the `porthole` command (bin/porthole.js imports the bundled copy of this file).
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`porthole: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
