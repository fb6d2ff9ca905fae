import type { ApiErrorCode, ApiErrorData, ApiIssue } from '../../src-shared/model/errors';

/** A failure the API reports to its caller as data (`{ ok: false, error }`). */
export class ServiceError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  toData(): ApiErrorData {
    return this.issues.length > 0
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }
}

/** A failed write of the store, naming its file. */
export function couldNotSave(path: string, err: unknown): ServiceError {
  return new ServiceError('INTERNAL', `Could not save to ${path}: ${messageOf(err)}`);
}

/**
 * `err` with what failed while undoing what it left half done added to its message: the person sees
 * the cause first, then that some of it is still there, and why.
 */
export function withUndoFailures(err: unknown, failures: readonly unknown[], what: string): unknown {
  if (failures.length === 0) return err;
  const also = `; undoing ${what} also failed: ${failures.map(messageOf).join('; ')}`;
  if (err instanceof ServiceError) return new ServiceError(err.code, err.message + also, err.issues);
  return new Error(messageOf(err) + also, { cause: err });
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
