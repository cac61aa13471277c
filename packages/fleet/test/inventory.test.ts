import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInventory, parseInventory } from "@deploykit/fleet";
import { describe, expect, it } from "vitest";

const native = `
app: web
root: /srv/app
ssh: { user: deploy, connectTimeoutS: 5, sshConfig: ./ssh_config }
order: [web, worker]
roles:
  web:
    strategy: { name: node, script: server.js }
    healthcheck: "http://{host}:3000/health"
  worker:
    strategy: sidekiq
    root: /srv/jobs
    env: { QUEUE: default }
hosts:
  web1: { host: 10.0.0.11, roles: [web] }
  both: { roles: [worker, web], port: 2222 }
  job1: { roles: [worker], user: ops }
`;

describe("parseInventory: deploykit's own shape", () => {
  it("merges inventory, role and host settings (the first role in order wins) and keeps connection keys", () => {
    const inv = parseInventory(native, { source: "hosts.yml", baseDir: "/etc/deploy" });
    expect(inv.app).toBe("web");
    expect(inv.order).toEqual(["web", "worker"]);
    const [web1, both, job1] = inv.hosts;
    expect(web1).toMatchObject({
      name: "web1",
      roles: ["web"],
      root: "/srv/app",
      strategy: { name: "node", script: "server.js" },
      connection: {
        host: "10.0.0.11",
        user: "deploy",
        connectTimeoutS: 5,
        sshConfig: "/etc/deploy/ssh_config",
      },
    });
    expect(both).toMatchObject({ root: "/srv/jobs", strategy: { name: "node" }, env: { QUEUE: "default" } });
    expect(both?.connection.port).toBe(2222);
    expect(job1).toMatchObject({ root: "/srv/jobs", strategy: "sidekiq", connection: { user: "ops" } });
  });

  it("takes hosts as a list of names or mappings", () => {
    const inv = parseInventory("root: /srv/a\nhosts:\n  - a.example\n  - { name: b, roles: [web] }\n");
    expect(inv.hosts.map((h) => [h.name, h.roles])).toEqual([
      ["a.example", []],
      ["b", ["web"]],
    ]);
  });

  it.each([
    ["hosts:\n  web1: { prot: 22 }\n", /hosts\.web1: .*prot/],
    ["hosts:\n  web1: { port: 70000 }\n", /hosts\.web1\.port/],
    ["hosts:\n  - web1\n  - web1\n", /hosts\.web1: is listed twice/],
    ["order: [db]\nhosts:\n  web1: { roles: [web] }\n", /order: names role db/],
    ["hosts: {}\n", /lists no host/],
    ["hosts:\n  web1: {\n", /not valid YAML/],
    ["hosts:\n  web1: { roles: web }\n", /hosts\.web1\.roles/],
    ["hosts:\n  -bad: {}\n", /hosts/],
  ])("refuses %j with E_INVALID_INPUT naming the key", (text, message) => {
    let error: unknown;
    try {
      parseInventory(text, { source: "hosts.yml" });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "E_INVALID_INPUT", message: expect.stringMatching(message) });
    expect((error as { hint?: string }).hint).toBeTruthy();
  });
});

describe("parseInventory: an Ansible YAML inventory", () => {
  const ansible = `
all:
  vars: { ansible_user: deploy, deploykit_root: /srv/web }
  hosts:
    lonely.example:
  children:
    web:
      hosts:
        web1.example: { ansible_host: 10.0.0.11, ansible_port: 2222 }
        web2.example:
      children:
        canary:
          hosts:
            web1.example:
    worker:
      vars: { ansible_user: jobs }
      hosts:
        job1.example: { ansible_ssh_private_key_file: keys/job, ansible_become: true }
`;
  it("turns groups (nested too) into roles and Ansible's connection variables into ssh options", () => {
    const inv = parseInventory(ansible, { baseDir: "/inv" });
    const byName = Object.fromEntries(inv.hosts.map((h) => [h.name, h]));
    expect(byName["lonely.example"]).toMatchObject({
      roles: [],
      root: "/srv/web",
      connection: { user: "deploy" },
    });
    expect(byName["web1.example"]?.roles.sort()).toEqual(["canary", "web"]);
    expect(byName["web1.example"]?.connection).toEqual({ host: "10.0.0.11", port: 2222, user: "deploy" });
    expect(byName["job1.example"]).toMatchObject({
      roles: ["worker"],
      connection: { user: "jobs", identityFile: "/inv/keys/job", sudo: true },
    });
  });

  it("reads top-level groups without `all`", () => {
    const inv = parseInventory("web:\n  hosts:\n    a: {}\ndb:\n  hosts:\n    b: {}\n");
    expect(inv.hosts.map((h) => [h.name, h.roles])).toEqual([
      ["a", ["web"]],
      ["b", ["db"]],
    ]);
  });

  it("refuses a bad port", () => {
    expect(() => parseInventory("all:\n  hosts:\n    a: { ansible_port: nope }\n")).toThrow(/ansible_port/);
  });
});

describe("loadInventory", () => {
  it("reads a file and resolves paths against its directory; a missing file is E_NOT_FOUND", async () => {
    const dir = await mkdtemp(join(tmpdir(), "inv-"));
    await writeFile(join(dir, "hosts.yml"), "ssh: { identityFile: id_ed25519 }\nhosts: [a]\n");
    const inv = await loadInventory(join(dir, "hosts.yml"));
    expect(inv.hosts[0]?.connection.identityFile).toBe(join(dir, "id_ed25519"));
    await expect(loadInventory(join(dir, "nope.yml"))).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});
