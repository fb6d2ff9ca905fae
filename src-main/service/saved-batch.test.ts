import { describe, expect, it } from 'vitest';
import { type Step, Writes } from './saved-batch';
import { ServiceError } from './service-error';

// Putting back what a failed change already wrote: every write is undone, newest first, even past one
// whose undo fails, and the failure the person sees names the cause first.

describe('Writes.undoAll', () => {
  const step = (name: string, order: string[], undoError?: Error): Step => ({
    commit: () => order.push(`write ${name}`),
    undo: () => {
      order.push(`undo ${name}`);
      if (undoError) throw undoError;
    },
  });

  it('undoes newest first, goes on past an undo that fails, and adds that failure after the cause (code and issues kept)', () => {
    const order: string[] = [];
    const writes = new Writes();
    for (const s of [step('secrets', order), step('servers', order, new Error('EROFS: read-only file system')), step('relays', order)]) writes.commit(s);
    const cause = new ServiceError('CONFLICT', 'The mapping "A" already listens on 127.0.0.1:80', [{ path: 'listen.port', message: 'taken' }]);

    const err = writes.undoAll(cause, [new Error('rules: EIO')], 'the partial import');
    expect(order).toEqual(['write secrets', 'write servers', 'write relays', 'undo relays', 'undo servers', 'undo secrets']);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).toData()).toEqual({
      code: 'CONFLICT',
      message: 'The mapping "A" already listens on 127.0.0.1:80; undoing the partial import also failed: rules: EIO; EROFS: read-only file system',
      issues: [{ path: 'listen.port', message: 'taken' }],
    });
    // Undone once only.
    expect(writes.undoAll(cause, [], 'the partial import')).toBe(cause);
  });

  it('keeps an error that is not a ServiceError as the cause of the one it returns', () => {
    const writes = new Writes();
    writes.commit(step('list', [], new Error('EACCES: permission denied')));
    const cause = new Error('ENOSPC: no space left on device');
    const err = writes.undoAll(cause, [], 'the partial change') as Error;
    expect(err.message).toBe('ENOSPC: no space left on device; undoing the partial change also failed: EACCES: permission denied');
    expect(err.cause).toBe(cause);
  });
});
