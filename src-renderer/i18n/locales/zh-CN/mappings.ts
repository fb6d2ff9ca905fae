import type { Catalog } from '../../catalog';
import type { mappings as en } from '../en/mappings';

export const mappings: Catalog<typeof en> = {};
