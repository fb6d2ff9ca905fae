import type { Catalog } from '../catalog';
import type { en } from './en';
import { common } from './zh-CN/common';
import { connections } from './zh-CN/connections';
import { relay } from './zh-CN/relay';
import { rules } from './zh-CN/rules';
import { servers } from './zh-CN/servers';
import { validation } from './zh-CN/validation';

export const zhCN: Catalog<typeof en> = { ...common, ...validation, ...servers, ...connections, ...relay, ...rules };
