import type { Catalog } from '../../catalog';
import type { editors as en } from '../en/editors';

export const editors: Catalog<typeof en> = {};
