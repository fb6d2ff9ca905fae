import { EngineError } from '../engine/engine-error';

/** How messages name the data plane to people. */
export const WHAT = 'The data plane (the thread that moves the bytes of TCP, UDP, SOCKS and relay mappings)';

/** The data plane stopped under a listener (code DATA_PLANE_STOPPED); says whether restarting makes sense. */
export class DataPlaneStoppedError extends EngineError {
  constructor(
    message: string,
    /** false: the rule should not be restarted automatically (crash loop, or the thread cannot start). */
    readonly restartable: boolean,
    /** What happened, without the advice the message ends with (for a line that gives other advice). */
    readonly reason: string = message,
  ) {
    super('DATA_PLANE_STOPPED', message);
    this.name = 'DataPlaneStoppedError';
  }
}
