import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInventory, parseInventory } from "@deploykit/fleet";
import { describe, expect, it } from "vitest";

// A typo in an inventory is named where it is written, with the key it probably meant, instead
// of a misleading "hosts: Invalid input" or (for Ansible's deploykit_* variables and group keys)
// being passed over in silence.

function refusal(text: string, source = "hosts.yml") {
  try {
    parseInventory(text, { source });
  } catch (error) {
    return error as { code?: string; message: string; hint?: string; details?: Record<string, unknown> };
  }
  throw new Error(`accepted:\n${text}`);
}

describe("deploykit's own inventory: unknown keys", () => {
  it("names a top-level typo (hostz) and the key it meant, not the hosts key it leaves missing", () => {
    const error = refusal("root: /srv/app\nhostz:\n  web1: {}\n");
    expect(error.code).toBe("E_INVALID_INPUT");
    expect(error.message).toBe("hosts.yml: unknown key hostz (did you mean hosts?).");
    expect(error.hint).toMatch(/app, root, strategy, healthcheck, env, ssh, order, roles, hosts/);
    expect(error.details).toMatchObject({
      inventory: "hosts.yml",
      unknownKeys: ["hostz"],
      suggestions: { hostz: "hosts" },
    });
  });

  it("says batchsize is the rollout's batchSize, not an inventory key", () => {
    const error = refusal("batchsize: 2\nhosts: [a, b]\n");
    expect(error.message).toMatch(/^hosts\.yml: unknown key batchsize \(did you mean batchSize\? .*rollout/);
    expect(error.hint).toMatch(/Give batchSize to the rollout/);
  });

  it("names every unknown key, suggesting only where one is close", () => {
    const error = refusal("hosts: [a]\nrootz: /srv\ncolour: red\n");
    expect(error.message).toBe("hosts.yml: unknown keys rootz (did you mean root?), colour.");
  });

  it.each([
    ["roles:\n  web: { strategyy: node }\nhosts: [a]\n", "roles.web", "strategyy", "strategy"],
    ["ssh: { usr: deploy }\nhosts: [a]\n", "ssh", "usr", "user"],
    ["hosts:\n  web1: { prot: 2222 }\n", "hosts.web1", "prot", "port"],
    ["hosts:\n  - a\n  - { name: b, rolse: [web] }\n", "hosts.b", "rolse", "roles"],
    [
      "roles:\n  web: { healthcheck: { url: 'http://{host}/', timeoutms: 5000 } }\nhosts: [a]\n",
      "roles.web.healthcheck",
      "timeoutms",
      "timeoutMs",
    ],
    [
      "hosts:\n  a: { healthcheck: { url: 'http://{host}/', verifyReleases: false } }\n",
      "hosts.a.healthcheck",
      "verifyReleases",
      "verifyRelease",
    ],
  ])("nested: %j names %s, %s and %s", (text, path, key, meant) => {
    const error = refusal(text);
    expect(error.code).toBe("E_INVALID_INPUT");
    expect(error.message).toBe(`hosts.yml: ${path}: unknown key ${key} (did you mean ${meant}?).`);
    expect(error.details).toMatchObject({ key: path, suggestions: { [key]: meant } });
  });

  it("still reads a healthcheck mapping with core's options", () => {
    const inv = parseInventory(
      "healthcheck: { url: 'http://{host}/', timeoutMs: 5000, expectBody: ok, verifyRelease: false }\nhosts: [a]\n",
    );
    expect(inv.hosts[0]?.healthcheck).toEqual({
      url: "http://{host}/",
      timeoutMs: 5000,
      expectBody: "ok",
      verifyRelease: false,
    });
  });

  it("names the file loadInventory read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "inv-typo-"));
    try {
      const path = join(dir, "fleet.yml");
      await writeFile(path, "hostz: [a]\n");
      await expect(loadInventory(path)).rejects.toMatchObject({
        code: "E_INVALID_INPUT",
        message: `${path}: unknown key hostz (did you mean hosts?).`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Ansible inventory: deploykit_* variables and group keys", () => {
  it.each([
    [
      "all:\n  vars: { deploykit_strategyy: sidekiq }\n  hosts:\n    a:\n",
      "all.vars",
      "deploykit_strategyy",
      "deploykit_strategy",
    ],
    [
      "all:\n  children:\n    web:\n      hosts:\n        web1: { ansible_host: 10.0.0.1, deploykit_rot: /srv/web }\n",
      "all.children.web.hosts.web1",
      "deploykit_rot",
      "deploykit_root",
    ],
    [
      "web:\n  vars: { deploykit_heathcheck: 'http://{host}/' }\n  hosts:\n    a:\n",
      "web.vars",
      "deploykit_heathcheck",
      "deploykit_healthcheck",
    ],
  ])("an unknown deploykit variable in %j is named at %s with %s → %s", (text, path, key, meant) => {
    const error = refusal(text, "inventory.yml");
    expect(error.code).toBe("E_INVALID_INPUT");
    expect(error.message).toBe(
      `inventory.yml: ${path}: unknown deploykit variable ${key} (did you mean ${meant}?).`,
    );
    expect(error.hint).toMatch(/deploykit_root, deploykit_strategy, deploykit_healthcheck, deploykit_env/);
  });

  it("an unknown deploykit variable with nothing close is still refused", () => {
    expect(refusal("all:\n  hosts:\n    a: { deploykit_batch: 2 }\n").message).toBe(
      "hosts.yml: all.hosts.a: unknown deploykit variable deploykit_batch.",
    );
  });

  it("checks the values of deploykit variables where they are written", () => {
    const error = refusal(
      "all:\n  vars:\n    deploykit_healthcheck: { url: 'http://{host}/', timeoutms: 10 }\n  hosts:\n    a:\n",
    );
    expect(error.message).toBe(
      "hosts.yml: all.vars.deploykit_healthcheck: unknown key timeoutms (did you mean timeoutMs?).",
    );
  });

  it("leaves Ansible's own variables (and other roles' variables) alone", () => {
    const inv = parseInventory(
      "all:\n  vars: { ansible_python_interpreter: /usr/bin/python3, deploy_user: app, nginx_port: 80 }\n  hosts:\n    a: { deploykit_root: /srv/a, app_env: production }\n",
    );
    expect(inv.hosts).toMatchObject([{ name: "a", root: "/srv/a" }]);
  });

  it("refuses a group key typo that would drop hosts (childern)", () => {
    const error = refusal(
      "all:\n  hosts:\n    a:\n  childern:\n    web:\n      hosts:\n        b:\n",
      "inventory.yml",
    );
    expect(error.message).toBe("inventory.yml: all: unknown group key childern (did you mean children?).");
    expect(error.hint).toMatch(/hosts, children, vars/);
  });

  it("names a group key typo in an inventory of top-level groups (no all), not the groups as unknown keys", () => {
    const error = refusal("web:\n  hots:\n    web1:\ndb:\n  hosts:\n    db1:\n", "inventory.yml");
    expect(error.message).toBe("inventory.yml: web: unknown group key hots (did you mean hosts?).");
  });

  it("refuses hosts written as a list (they would be read as hosts named 0, 1)", () => {
    const error = refusal("all:\n  children:\n    web:\n      hosts: [web1, web2]\n");
    expect(error.message).toMatch(/^hosts\.yml: all\.children\.web\.hosts: must be a mapping/);
  });

  it("reads a top-level group next to all (Ansible reads every top-level key as a group)", () => {
    const inv = parseInventory("all:\n  hosts:\n    a:\ndb:\n  hosts:\n    b:\n");
    expect(inv.hosts.map((h) => [h.name, h.roles])).toEqual([
      ["a", []],
      ["b", ["db"]],
    ]);
  });
});
