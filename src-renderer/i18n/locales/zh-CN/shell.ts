import type { Catalog } from '../../catalog';
import type { shell as en } from '../en/shell';

export const shell: Catalog<typeof en> = {};
