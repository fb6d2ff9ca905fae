import type { Catalog } from '../catalog';
import type { en } from './en';
import { common } from './zh-CN/common';
import { connections } from './zh-CN/connections';
import { relay } from './zh-CN/relay';
import { rules } from './zh-CN/rules';
import { servers } from './zh-CN/servers';
import { validation } from './zh-CN/validation';
import { mappings } from './zh-CN/mappings';
import { editors } from './zh-CN/editors';
import { shell } from './zh-CN/shell';
import { logs } from './zh-CN/logs';
import { dashboard } from './zh-CN/dashboard';
import { settings } from './zh-CN/settings';
import { importExport } from './zh-CN/importExport';
import { router } from './zh-CN/router';

export const zhCN: Catalog<typeof en> = { ...common, ...validation, ...servers, ...connections, ...relay, ...rules, ...mappings, ...editors, ...shell, ...logs, ...dashboard, ...settings, ...importExport, ...router };
