import { existsSync } from "node:fs";
import { mkdir, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { CLI, cleanEnv, deploykit, fleetDeploy, jsonLines, tempDir } from "./support/cli";

// `--inventory`: deploy, rollback, releases and status across hosts. The hosts are roots on this
// machine (`ssh: { local: true }`) so the CLI's whole path runs for real (core's deploy with the
// command strategy); the SSH fleet is proven in packages/fleet/test/ssh-fleet.test.ts.
let dir: string;
let cleanup: () => Promise<void>;
const live = (host: string) => readlink(join(dir, "hosts", host, "current"));

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const version of ["1.0.0", "2.0.0"]) {
    const artifact = await makeArtifact(dir, "hello", version);
    expect((await deploykit(["publish", artifact, "--store", "store"], { cwd: dir })).exitCode).toBe(0);
  }
  const host = (name: string, extra = "") =>
    `  ${name}: { root: ${join(dir, "hosts", name)}, roles: [web]${extra} }`;
  await writeFile(
    join(dir, "hosts.yml"),
    [
      "app: hello",
      "ssh: { local: true }",
      "roles:",
      '  web: { strategy: { name: command, restart: "true" } }',
      "hosts:",
      host("a"),
      host("b"),
      host("c", ', strategy: { name: command, restart: "exit 3" }'),
      "",
    ].join("\n"),
  );
});
afterAll(() => cleanup?.());

describe("deploykit deploy --inventory", () => {
  it("rolls out in batches; --json prints NDJSON events with host names and the result with its summary last", async () => {
    const run = await fleetDeploy(dir, "hosts.yml", "1.0.0", ["--batch", "50%", "--max-failures", "1"]);
    const { lines } = run;
    expect(lines[0]).toMatchObject({
      type: "fleet:plan",
      planned: 3,
      batches: [{ hosts: ["a", "b"] }, { hosts: ["c"] }],
    });
    // a and b run at once (batch 1), so they may finish in either order; c comes after both.
    const finished = lines.filter((l) => l.type === "fleet:host:finish").map((l) => l.host);
    expect([...finished.slice(0, 2)].sort()).toEqual(["a", "b"]);
    expect(finished[2]).toBe("c");
    expect(lines.some((l) => l.type === "step:start" && l.host === "b")).toBe(true);
    expect(lines.at(-1)?.type).toBe("result");
    expect(run.summary).toMatchObject({ planned: 3, done: 2, failed: 1, skipped: 0, halted: false });
    expect(run.exitCode).toBe(1); // c's restart fails: not every host did what was asked
    expect([await live("a"), await live("b")]).toEqual(["releases/1.0.0", "releases/1.0.0"]);
  });

  it("halts at the failing host with --max-failures 0 and rolls back the hosts it switched (human output)", async () => {
    const run = await deploykit(
      ["deploy", "--inventory", "hosts.yml", "--store", "store", "--version", "2.0.0", "--batch", "2"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/a\s+batch 1\s+rolled-back\s+1\.0\.0 -> 1\.0\.0/);
    expect(run.stdout).toMatch(/c\s+batch 2\s+failed\s+-\s+\S+ \S+\s+\[E_RESTART_FAILED\]/);
    expect(run.stdout).toMatch(
      /Rollout of hello 2\.0\.0: 3 planned, 0 done, 1 failed, 2 rolled back, 0 skipped; halted \(max-failures\)/,
    );
    expect(run.stderr).toMatch(/Batch 1: a, b/);
    expect([await live("a"), await live("b")]).toEqual(["releases/1.0.0", "releases/1.0.0"]);
  });

  it("deploys only a role's hosts; releases, status and rollback read and act across the inventory", async () => {
    const web = await deploykit(
      [
        "deploy",
        "--inventory",
        "hosts.yml",
        "--role",
        "web",
        "--store",
        "store",
        "--version",
        "2.0.0",
        "--on-failure",
        "halt",
        "--max-failures",
        "1",
      ],
      { cwd: dir },
    );
    expect(web.stdout).toMatch(/3 planned, 2 done, 1 failed/);
    expect(await live("b")).toBe("releases/2.0.0");
    const releases = await deploykit(["releases", "--inventory", "hosts.yml"], { cwd: dir });
    expect(releases.stdout).toMatch(/a\s+2\.0\.0\* 1\.0\.0-|a\s+1\.0\.0- 2\.0\.0\*/);
    const status = await deploykit(["status", "--inventory", "hosts.yml", "--json"], { cwd: dir });
    const rows = (jsonLines(status.stdout).at(-1) as { result: { host: string; live: string }[] }).result;
    expect(rows.map((r) => [r.host, r.live])).toEqual([
      ["a", "2.0.0"],
      ["b", "2.0.0"],
      ["c", "1.0.0"],
    ]);
    const back = await deploykit(
      ["rollback", "--inventory", "hosts.yml", "--version", "1.0.0", "--batch", "3"],
      { cwd: dir },
    );
    expect(back.stdout).toMatch(/a\s+batch 1\s+rolled-back\s+2\.0\.0 -> 1\.0\.0/);
    expect(await live("b")).toBe("releases/1.0.0");
  });

  it("takes the inventory and the rollout's settings from the config file, as documented", async () => {
    const cwd = join(dir, "configured");
    await mkdir(cwd, { recursive: true });
    await writeFile(
      join(cwd, "deploykit.config.yml"),
      "inventory: ../hosts.yml\nstore: ../store\nbatchSize: 3\nmaxFailures: 1\nonFailure: halt\n",
    );
    const run = await deploykit(["deploy", "--version", "1.0.0", "--json"], { cwd });
    const plan = jsonLines(run.stdout)[0];
    expect(plan).toMatchObject({ type: "fleet:plan", planned: 3, batches: [{ hosts: ["a", "b", "c"] }] });
    const releases = await deploykit(["releases"], { cwd });
    expect(releases.exitCode, releases.stderr).toBe(0);
    expect(releases.stdout).toMatch(/^\s+c\s/m);
  });

  it("says which hosts a rollback switched without restarting them (no strategy for their role)", async () => {
    const bare = ["a", "b"].map((n) => `  ${n}: { root: ${join(dir, "hosts", n)} }`);
    await writeFile(join(dir, "bare.yml"), `app: hello\nssh: { local: true }\nhosts:\n${bare.join("\n")}\n`);
    const back = await deploykit(
      ["rollback", "--inventory", "bare.yml", "--version", "2.0.0", "--batch", "2"],
      {
        cwd: dir,
      },
    );
    expect(back.exitCode).toBe(0);
    expect(await live("a")).toBe("releases/2.0.0");
    expect(back.stdout).toMatch(/NOT restarted \(no strategy\): a, b\./);
    expect(back.stderr).toMatch(/Nothing was restarted on a, b/);
  });

  it.each([
    [["--batch", "0"], /batchSize must be/],
    [["--role", "db"], /No host has role db/],
    [["--host", "x@y"], /--inventory and --host exclude each other/],
    [["--confirm"], /--confirm asks after the canary batch/],
  ])("refuses %j before touching a host", async (flags, message) => {
    const run = await deploykit(
      ["deploy", "--inventory", "hosts.yml", "--store", "store", "--version", "2.0.0", ...flags],
      { cwd: dir },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });

  it("releases --inventory names a host whose root is not there instead of listing (none)", async () => {
    await writeFile(
      join(dir, "typo.yml"),
      `app: hello\nssh: { local: true }\nhosts:\n  a: { root: ${join(dir, "hosts", "a")} }\n  z: { root: ${join(dir, "hosts", "zz-typo")} }\n`,
    );
    const run = await deploykit(["releases", "--inventory", "typo.yml"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/z\s+\[E_NOT_FOUND\] The host root z:\S+zz-typo does not exist/);
    expect(run.stdout).toMatch(/a\s+\d/);
  });

  it("resolves a local host's relative root against the inventory's folder, not the working dir", async () => {
    await mkdir(join(dir, "inv"), { recursive: true });
    await writeFile(
      join(dir, "inv", "rel.yml"),
      'app: hello\nssh: { local: true }\nstrategy: { name: command, restart: "true" }\nhosts:\n  r1: { root: roots/r1 }\n',
    );
    const run = await deploykit(
      ["deploy", "--inventory", "inv/rel.yml", "--store", "store", "--version", "1.0.0"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readlink(join(dir, "inv", "roots", "r1", "current"))).toBe("releases/1.0.0");
    expect(existsSync(join(dir, "roots"))).toBe(false);
  });

  it("refuses two host entries on one root of one machine before touching either", async () => {
    const same = join(dir, "hosts", "same");
    await writeFile(
      join(dir, "twice.yml"),
      `app: hello\nssh: { local: true }\nstrategy: { name: command, restart: "true" }\nhosts:\n  s1: { root: ${same} }\n  s2: { root: ${same}/ }\n`,
    );
    const run = await deploykit(
      ["deploy", "--inventory", "twice.yml", "--store", "store", "--version", "1.0.0", "--batch", "2"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/s1 and s2 deploy to the same root .*\[E_INVALID_INPUT\]/);
    expect(existsSync(same)).toBe(false);
  });

  it("names the inventory and key of a bad inventory", async () => {
    await writeFile(join(dir, "bad.yml"), "hosts:\n  a: { prot: 22 }\n");
    const run = await deploykit(
      ["deploy", "--inventory", "bad.yml", "--store", "store", "--version", "2.0.0"],
      { cwd: dir },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/bad\.yml: hosts\.a: .*prot.*\[E_INVALID_INPUT\]/);
  });

  it("refuses a mistyped deploykit_* variable of an Ansible inventory before touching any host", async () => {
    const root = join(dir, "hosts", "ansible-typo");
    await writeFile(
      join(dir, "ansible.yml"),
      `all:\n  vars: { ansible_connection: local, deploykit_strategyy: { name: command, restart: "true" } }\n  hosts:\n    t1: { deploykit_root: ${root} }\n`,
    );
    const run = await deploykit(
      ["deploy", "--inventory", "ansible.yml", "--store", "store", "--app", "hello", "--version", "2.0.0"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /ansible\.yml: all\.vars: unknown deploykit variable deploykit_strategyy \(did you mean deploykit_strategy\?\).*\[E_INVALID_INPUT\]/,
    );
    expect(existsSync(root)).toBe(false);
  });
});

describe("Ctrl-C during a rollout", () => {
  it("starts no new host, lets the running one finish or undo its step, prints every host's state, exits 130", async () => {
    const roots = ["p", "q", "r", "s"].map((n) => `  ${n}: { root: ${join(dir, "abort", n)} }`);
    await writeFile(
      join(dir, "abort.yml"),
      `app: hello\nssh: { local: true }\nstrategy: { name: command, restart: "true" }\nhosts:\n${roots.join("\n")}\n`,
    );
    const run = execa(
      "node",
      [CLI, "deploy", "--inventory", "abort.yml", "--store", "store", "--version", "1.0.0", "--json"],
      {
        cwd: dir,
        env: cleanEnv(),
        extendEnv: false,
        reject: false,
      },
    );
    let buffer = "";
    let sent = false;
    run.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk;
      if (!sent && buffer.includes('"type":"fleet:host:start","host":"q"')) {
        sent = true; // once: a second SIGINT ends the CLI at once, by design
        run.kill("SIGINT");
      }
    });
    const result = await run;
    expect(result.exitCode).toBe(130);
    const last = jsonLines(String(result.stdout)).at(-1) as {
      result: {
        hosts: { host: string; outcome: string; errorCode?: string }[];
        summary: Record<string, unknown>;
      };
    };
    expect(last.result.summary).toMatchObject({
      planned: 4,
      halted: true,
      haltReason: "aborted",
      skipped: 2,
    });
    const [p, q, r, s] = last.result.hosts;
    expect(p?.outcome).toBe("deployed");
    expect(q?.outcome === "deployed" || q?.errorCode === "E_ABORTED").toBe(true);
    expect([r?.outcome, s?.outcome]).toEqual(["skipped", "skipped"]);
    expect(existsSync(join(dir, "abort", "r"))).toBe(false);
    expect(await readlink(join(dir, "abort", "p", "current"))).toBe("releases/1.0.0");
  });
});

describe("deploykit deploy --inventory on a terminal", () => {
  it("draws a live table, one row per host: batch, step, bytes, outcome (a real pty from script(1))", async () => {
    const roots = ["x", "y"].map((n) => `  ${n}: { root: ${join(dir, "tty", n)} }`);
    await writeFile(
      join(dir, "tty.yml"),
      `app: hello\nssh: { local: true }\nstrategy: { name: command, restart: "true" }\nhosts:\n${roots.join("\n")}\n`,
    );
    const command = [
      "node",
      CLI,
      "deploy",
      "--inventory",
      "tty.yml",
      "--store",
      "store",
      "--version",
      "1.0.0",
      "--batch",
      "2",
    ]
      .map((a) => `'${a}'`)
      .join(" ");
    const run = await execa("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      env: cleanEnv({ NO_COLOR: "1", TERM: "xterm" }),
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/x │ batch 1 │ done\s+│ \d+(\.\d+)? [kM]?B\s+│ deployed 1\.0\.0/);
    expect(run.stdout).toMatch(/y │ batch 1 │ done\s+│ .*│ deployed 1\.0\.0/);
    expect(run.stdout).toMatch(/2 planned, 2 done, 0 failed/);
  });
});

describe("deploykit deploy --inventory --canary --confirm", () => {
  const deployWithAnswer = (inventory: string, answer: string) =>
    execa(
      "node",
      [
        CLI,
        "deploy",
        "--inventory",
        inventory,
        "--store",
        "store",
        "--version",
        "1.0.0",
        "--canary",
        "1",
        "--batch",
        "2",
        "--confirm",
      ],
      { cwd: dir, env: cleanEnv(), extendEnv: false, reject: false, input: answer },
    );
  const inventory = async (name: string) => {
    const roots = ["u", "v", "w"].map((n) => `  ${n}: { root: ${join(dir, name, n)} }`);
    await writeFile(
      join(dir, `${name}.yml`),
      `app: hello\nssh: { local: true }\nstrategy: { name: command, restart: "true" }\nhosts:\n${roots.join("\n")}\n`,
    );
    return `${name}.yml`;
  };

  it("asks after the canary; anything but yes halts with the other hosts untouched", async () => {
    const run = await deployWithAnswer(await inventory("no"), "n\n");
    expect(run.stderr).toMatch(/Canary: u deployed\. Go on with the other hosts\? \[y\/N\]/);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /3 planned, 1 done, 0 failed, 0 rolled back, 2 skipped; halted \(not-confirmed\)/,
    );
    expect(existsSync(join(dir, "no", "v"))).toBe(false);
  });

  it("goes on after yes", async () => {
    const run = await deployWithAnswer(await inventory("yes"), "y\n");
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 planned, 3 done/);
  });
});

describe("rollout flags without --inventory", () => {
  it("are refused, never ignored", async () => {
    const run = await deploykit(
      ["deploy", "--root", "host", "--store", "store", "--version", "1.0.0", "--batch", "2"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--batch only works with --inventory/);
  });
});
