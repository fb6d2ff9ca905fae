export * from './errors';
export * from './rule';
export * from './status';
export * from './stats';
export * from './log';
export * from './log-text';
export * from './connection';
export * from './ssh';
