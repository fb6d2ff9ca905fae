// vitest setupFiles: every DataPlane and RelayHost in the tests runs the worker bundled by
// dataplane-global-setup.ts.
import { inject } from 'vitest';
import { setDataPlaneEntry } from '../src-main/dataplane/entry';
import { setRelayWorkerEntry } from '../src-main/relay/relay-worker-entry';

setDataPlaneEntry(inject('dataPlaneEntry'));
setRelayWorkerEntry(inject('relayWorkerEntry'));
