export * from './channels';
export * from './contract';
export * from './client';
export * from './ws-protocol';
