import { common } from './en/common';
import { connections } from './en/connections';
import { relay } from './en/relay';
import { rules } from './en/rules';
import { servers } from './en/servers';
import { validation } from './en/validation';

export const en = { ...common, ...validation, ...servers, ...connections, ...relay, ...rules } as const;
