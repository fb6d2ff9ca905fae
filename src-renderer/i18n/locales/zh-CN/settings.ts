import type { Catalog } from '../../catalog';
import type { settings as en } from '../en/settings';

export const settings: Catalog<typeof en> = {};
