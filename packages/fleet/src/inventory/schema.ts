import type { HealthcheckOptions } from "@deploykit/core";
import { z } from "zod";

const name = z
  .string()
  .min(1)
  .regex(/^[^\s-][^\s]*$/, "must have no spaces and not start with '-'");

/** `strategy:` a name or a mapping with a name and options. */
export const strategySchema = z.union([z.string().min(1), z.looseObject({ name: z.string().min(1) })]);

/** `healthcheck:` as a mapping: core's `HealthcheckOptions`, key for key (a typo is refused, not ignored). */
const healthcheckShape = {
  url: z.string().min(1),
  timeoutMs: z.number().positive().optional(),
  intervalMs: z.number().positive().optional(),
  requestTimeoutMs: z.number().positive().optional(),
  expectBody: z.string().optional(),
  versionHeader: z.string().min(1).optional(),
  verifyRelease: z.boolean().optional(),
} satisfies Record<keyof HealthcheckOptions, z.ZodType>;

/** Role settings (also the inventory's and a host's own). */
export const roleSettingsShape = {
  root: z.string().min(1).optional(),
  strategy: strategySchema.optional(),
  healthcheck: z.union([z.string().min(1), z.strictObject(healthcheckShape)]).optional(),
  env: z.record(z.string(), z.string()).optional(),
};

/** Connection keys: core's `sshHost()` option names. */
export const connectionShape = {
  local: z.boolean().optional(),
  host: name.optional(),
  user: name.optional(),
  port: z.int().min(1).max(65535).optional(),
  identityFile: z.string().min(1).optional(),
  sshConfig: z.string().min(1).optional(),
  connectTimeoutS: z.number().positive().optional(),
  sudo: z.union([z.boolean(), name]).optional(),
};

/** A role's settings. */
export const roleSettings = z.strictObject(roleSettingsShape);

/** A host's own entry: connection keys, roles and settings. */
export const hostEntry = z.strictObject({
  ...roleSettingsShape,
  ...connectionShape,
  roles: z.array(name).optional(),
});

/** A host name. */
export const hostName = name;
/** One host in list form, as a mapping with `name`. */
export const listedHost = z.strictObject({ name, ...hostEntry.shape });

/** deploykit's own inventory file. */
export const nativeInventorySchema = z.strictObject({
  app: name.optional(),
  ...roleSettingsShape,
  /** Connection defaults for every host. */
  ssh: z.strictObject(connectionShape).optional(),
  order: z.array(name).optional(),
  roles: z.record(name, roleSettings.nullable()).optional(),
  /** A list (names or mappings with `name`) or a mapping of name -> entry: checked per host. */
  hosts: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});

export type NativeInventory = z.infer<typeof nativeInventorySchema>;
export type HostEntry = z.infer<typeof hostEntry>;
