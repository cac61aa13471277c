import { z } from "zod";
import { inventoryError, unknownKeysError } from "./errors";

const STRUCTURE_HINT =
  "An inventory has hosts (a list or a mapping name -> { host, user, port, roles: [web] }), optional roles (name -> { root, strategy, healthcheck, env }), order and ssh defaults; or use an Ansible YAML inventory (all: { hosts, children }).";

/** The keys a mapping at `path` of `schema` may have (every object branch of a union). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return keysAt(schema.unwrap() as z.ZodType, path);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((o) => keysAt(o, path));
  const [head, ...rest] = path;
  if (schema instanceof z.ZodObject) {
    if (head === undefined) return Object.keys(schema.shape);
    const field = schema.shape[String(head)];
    return field ? keysAt(field, rest) : [];
  }
  if (head === undefined) return [];
  if (schema instanceof z.ZodRecord) return keysAt(schema.valueType as z.ZodType, rest);
  if (schema instanceof z.ZodArray) return keysAt(schema.element as z.ZodType, rest);
  return [];
}

/**
 * `data` checked against `schema`, or an inventory error. Unknown keys come first (a typo such as
 * `hostz:` also leaves `hosts` missing; the typo is the fault to name), each with the key it
 * probably meant; else the first issue: the key path, what is wrong, an example. `prefix` is where
 * `data` sits in the file (`["hosts", "web1"]`). @throws `E_INVALID_INPUT`
 */
export function checked<T>(source: string, schema: z.ZodType<T>, data: unknown, prefix: string[] = []): T {
  const parsed = schema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const unknown = issues.find((i) => i.code === "unrecognized_keys");
  if (unknown?.code === "unrecognized_keys") {
    const known = [...new Set(keysAt(schema, unknown.path))];
    const path = [...prefix, ...unknown.path.map(String)].join(".");
    throw unknownKeysError(source, path, unknown.keys, known, { rolloutOptions: path === "" });
  }
  const issue = issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)].join(".");
  const missing = issue !== undefined && "input" in issue && issue.input === undefined;
  throw inventoryError(source, path, missing ? "is missing." : (issue?.message ?? "invalid"), STRUCTURE_HINT);
}
