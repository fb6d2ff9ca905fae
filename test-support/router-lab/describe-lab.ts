import { describe, it } from 'vitest';
import { labUnavailable } from './topology';

const CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * A describe block that needs the router lab: skipped with a loud line where namespaces cannot be
 * made (not root, no miniupnpd), except under CI=true, where that is a failure.
 */
export function describeRouterLab(name: string, body: () => void): void {
  const why = labUnavailable();
  if (!why) {
    describe(name, body);
    return;
  }
  if (CI) {
    describe(name, () => {
      it('has what the router lab needs (CI=true)', () => {
        throw new Error(`the router lab cannot run: ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`\n!!! SKIPPED "${name}": the router lab cannot run — ${why}\n`);
  describe.skip(name, body);
}
