// vitest setupFiles: every DataPlane in the tests runs the worker bundled by dataplane-global-setup.ts.
import { inject } from 'vitest';
import { setDataPlaneEntry } from '../src-main/dataplane/entry';

setDataPlaneEntry(inject('dataPlaneEntry'));
