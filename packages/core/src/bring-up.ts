import type { HealthcheckOptions } from "./healthcheck";
import type { RuntimeStrategy } from "./strategy";

/** How to bring a release up: the strategy, its health gate and extra env. */
export interface BringUp {
  strategy: RuntimeStrategy;
  healthcheck?: HealthcheckOptions;
  env?: Record<string, string>;
}
