import type { Catalog } from '../../catalog';
import type { importExport as en } from '../en/importExport';

export const importExport: Catalog<typeof en> = {};
