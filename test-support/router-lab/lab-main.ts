import { runNsAgent } from './ns-agent';
import { runServiceDriver } from './service-driver';
import { runStunServer } from './stun-server';

// Entry of the router lab's helper processes (bundled by lab-bundle.ts, run inside the namespaces).
const [role, ...args] = process.argv.slice(2);
if (role === 'stun') void runStunServer(args);
else if (role === 'agent') runNsAgent();
else if (role === 'driver') void runServiceDriver(args);
else {
  process.stderr.write(`lab-main: unknown role ${role}\n`);
  process.exit(2);
}
