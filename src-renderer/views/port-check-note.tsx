import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PortCheck, PortCheckInput } from '../../src-shared/model/ports';

/** Quiet time after the last keystroke before the host is asked. */
const DEBOUNCE_MS = 250;

/** What the note is about: the asked address and the answer. */
export interface PortCheckResult {
  input: PortCheckInput;
  check: PortCheck;
}

/**
 * Asks the host whether the listen address can be used, as the person types (issue 18): after a pause,
 * only for a complete address, and only the newest answer counts. Undefined while there is nothing
 * to say or the answer is pending.
 */
export function usePortCheck(input: PortCheckInput | undefined, ask: (input: PortCheckInput) => Promise<PortCheck>): PortCheckResult | undefined {
  const [result, setResult] = useState<(PortCheckResult & { key: string }) | undefined>(undefined);
  const key = input ? `${input.protocol} ${input.host} ${input.port} ${input.ruleId ?? ''}` : '';
  useEffect(() => {
    if (!input) return;
    let current = true;
    const timer = setTimeout(() => {
      ask(input).then(
        (check) => current && setResult({ key, input, check }),
        // No answer (an older host, a lost connection): say nothing; saving still checks.
        () => undefined,
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the input's value; a new object each render must not ask again
  }, [key, ask]);
  // An answer about an address no longer in the fields says nothing (no reset inside the effect).
  return result && result.key === key && input ? result : undefined;
}

/** Under the listen fields: who holds the port, and a button for the free one the host found. */
export function PortCheckNote({ result, onUse }: { result: PortCheckResult | undefined; onUse: (port: number) => void }) {
  const { t } = useTranslation();
  const check = result?.check;
  const text = (() => {
    if (!result || !check || check.free) return '';
    const { host, port } = result.input;
    if (check.problem === 'permission') return t('ruleFields.portCheck.permission', { port });
    if (check.problem === 'not-local') return t('ruleFields.portCheck.notLocal', { host });
    const h = check.holder;
    if (h?.kind === 'mapping') return t('ruleFields.portCheck.byMapping', { port, name: h.name });
    if (h?.kind === 'process') return t('ruleFields.portCheck.byProcess', { port, host, name: h.name, pid: h.pid });
    if (h?.kind === 'porthole') return t('ruleFields.portCheck.byPorthole', { port, host });
    return t('ruleFields.portCheck.taken', { port, host });
  })();
  return (
    <div className="port-check" role="status" data-testid="port-check">
      {text && (
        <p className="field-warning port-check-text">
          {text}
          {check?.suggestion !== undefined && (
            <>
              {' '}
              <button type="button" className="btn btn-small" data-testid="use-free-port" onClick={() => onUse(check.suggestion!)}>
                {t('ruleFields.portCheck.useInstead', { port: check.suggestion })}
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
