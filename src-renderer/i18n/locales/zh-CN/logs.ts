import type { Catalog } from '../../catalog';
import type { logs as en } from '../en/logs';

export const logs: Catalog<typeof en> = {};
