/**
 * Restart strategies for deploykit. Each one implements core's `RuntimeStrategy`: `restart`
 * resolves only once the new release is observed serving, and rejects with `E_RESTART_FAILED`
 * otherwise, leaving the old release serving where the runtime allows it.
 *
 * @packageDocumentation
 */
export { type CommandOptions, command } from "./command";
export { defineStrategy } from "./define";
export { type StrategyFlags, strategyOptionsFromFlags } from "./flag-options";
export { type SystemdOptions, systemd } from "./init/systemd";
export { type SysvOptions, sysv } from "./init/sysv";
export { type UpstartOptions, upstart } from "./init/upstart";
export type { CommandLine } from "./internal/run-command";
export { type NodeOptions, node } from "./node/index";
export { DEPRECATED_OPTIONS, type DeprecatedOption, STRATEGY_OPTION_KEYS } from "./option-keys";
export { type Pm2Options, pm2 } from "./pm2/index";
export { type ProcessOptions, process } from "./process";
export { createStrategy, type StrategySpec, strategyNames } from "./registry";
export { type SidekiqOptions, sidekiq } from "./sidekiq/index";
export { type SignalOptions, signal } from "./signal";
export { type UnicornOptions, unicorn } from "./unicorn/index";
