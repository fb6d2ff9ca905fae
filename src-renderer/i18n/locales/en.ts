import { common } from './en/common';
import { connections } from './en/connections';
import { relay } from './en/relay';
import { rules } from './en/rules';
import { servers } from './en/servers';
import { validation } from './en/validation';
import { mappings } from './en/mappings';
import { editors } from './en/editors';
import { shell } from './en/shell';
import { logs } from './en/logs';
import { dashboard } from './en/dashboard';
import { settings } from './en/settings';
import { importExport } from './en/importExport';
import { router } from './en/router';
import { inspector } from './en/inspector';
import { hostLog } from './en/host-log';
import { engineErrors } from './en/engine-errors';

export const en = { ...common, ...validation, ...servers, ...connections, ...relay, ...rules, ...mappings, ...editors, ...shell, ...logs, ...dashboard, ...settings, ...importExport, ...router, ...inspector, ...hostLog, ...engineErrors } as const;
