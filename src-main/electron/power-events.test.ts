import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installPowerEvents, type PowerEventsOptions } from './power-events';

describe('installPowerEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(online = true): { monitor: EventEmitter; net: { online: boolean }; calls: string[]; dispose: () => void } {
    const monitor = new EventEmitter();
    const net = { online };
    const calls: string[] = [];
    const dispose = installPowerEvents({
      target: { reconnectAll: () => calls.push('reconnect') },
      monitor: monitor as unknown as PowerEventsOptions['monitor'],
      isOnline: () => net.online,
      onTrigger: (why) => calls.push(why),
    });
    return { monitor, net, calls, dispose };
  }

  it('reconnects at once on resume, and once for resume + unlock arriving together', () => {
    const { monitor, calls, dispose } = setup();
    monitor.emit('resume');
    monitor.emit('unlock-screen');
    expect(calls).toEqual(['resume', 'reconnect']);
    vi.advanceTimersByTime(2_000);
    monitor.emit('unlock-screen');
    expect(calls).toEqual(['resume', 'reconnect', 'unlock-screen', 'reconnect']);
    dispose();
  });

  it('reconnects when the network comes back, not while it stays up or down', () => {
    const { net, calls, dispose } = setup(false);
    vi.advanceTimersByTime(30_000);
    expect(calls).toEqual([]);
    net.online = true;
    vi.advanceTimersByTime(15_000);
    expect(calls).toEqual(['online', 'reconnect']);
    vi.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(2);
    dispose();
  });

  it('stops listening and polling once disposed', () => {
    const { monitor, net, calls, dispose } = setup(false);
    dispose();
    net.online = true;
    monitor.emit('resume');
    vi.advanceTimersByTime(60_000);
    expect(calls).toEqual([]);
    expect(monitor.listenerCount('resume')).toBe(0);
  });
});
