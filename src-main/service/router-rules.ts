import { type Rule, ruleListenEndpoint, ruleRouterOption } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import type { RouterMappings } from '../router/router-mappings';

// "Open on router" for the service: a rule with the option on is mapped on the home router while it
// runs and unmapped when it leaves `running` (stopped, switched off, deleted, failed, Porthole quits).
// Driven by the rule's state changes only, so the rule runner and the data plane know nothing of it.

export class RouterRules {
  constructor(readonly mappings: RouterMappings) {}

  /** Called with every state the rule emits. */
  onState(rule: Rule | undefined, status: RuleStatus): void {
    const option = rule && ruleRouterOption(rule);
    const listen = rule && ruleListenEndpoint(rule);
    if (status.state === 'running' && option && listen) {
      // The port actually bound (the rule's port; `host:port` of boundAddress when the engine reports it).
      const bound = Number(/:(\d+)$/.exec(status.boundAddress ?? '')?.[1]);
      this.mappings.ensure({
        ownerId: status.id,
        protocol: listen.protocol,
        listenHost: listen.host,
        listenPort: Number.isInteger(bound) && bound > 0 ? bound : listen.port,
        option,
      });
    } else if (status.state !== 'running') {
      void this.mappings.release(status.id);
    }
  }

  /** The status with what the router granted, for events and lists. */
  decorate(status: RuleStatus): RuleStatus {
    const router = this.mappings.status(status.id);
    if (router) return { ...status, router };
    if (!status.router) return status;
    const { router: _gone, ...rest } = status;
    return rest;
  }

  releaseAll(): Promise<void> {
    return this.mappings.releaseAll();
  }
}
