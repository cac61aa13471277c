// Test utility: real servers for deploykit's SSH tests — systemd-nspawn containers with systemd as
// PID 1 and their own sshd, booted from a cached minimal Debian root. See index.d.mts for the API.
import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cgroupDirs, createCgroup, destroyCgroup } from "./cgroup.mjs";
import { makeKey, writeClientFiles } from "./keys.mjs";
import { addressesOf, claimSlot, namespaceOf, releaseSlot, setLink } from "./network.mjs";

const run = promisify(execFile);
const tools = fileURLToPath(new URL("../../scripts/test-hosts.sh", import.meta.url));
const RECORDS = "/run/deploykit-test-hosts";

/** Paths of systemd-nspawn and of the template root, built on first use (cached across runs). */
async function prepareTools(recipe) {
  const get = async (...what) => (await run("bash", [tools, ...what], { maxBuffer: 1 << 24 })).stdout.trim();
  const [nspawn, template] = await Promise.all([
    get("nspawn"),
    recipe === "apps" ? get("template", "apps") : get("template"),
  ]);
  return { nspawn, template };
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

/** Tears down everything one host left behind (synchronous: also runs on process exit). */
function reap(record) {
  if (record.launcher) {
    try {
      process.kill(record.launcher, "SIGKILL");
    } catch {}
  }
  destroyCgroup(record.machine);
  releaseSlot(record.slot);
  rmSync(record.dir, { recursive: true, force: true });
  rmSync(join(RECORDS, `${record.machine}.json`), { force: true });
}

/** Hosts left by a test process that died without cleaning up (SIGKILL, OOM...). */
function reapOrphans() {
  let names = [];
  try {
    names = readdirSync(RECORDS);
  } catch {}
  for (const name of names) {
    try {
      const record = JSON.parse(readFileSync(join(RECORDS, name), "utf8"));
      if (!alive(record.owner)) reap(record);
    } catch {}
  }
}

const live = new Set();
process.once("exit", () => {
  for (const record of live) reap(record);
});

function sshdConfig(address) {
  return [
    `ListenAddress ${address}:22`,
    "HostKey /etc/ssh/ssh_host_ed25519_key",
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "UseDNS no",
    "MaxStartups 100:30:200",
    "MaxSessions 100",
    "",
  ].join("\n");
}

/** The overlay's upper dir: what makes this host itself (hostname, host key, authorized keys). */
async function writeUpper(upper, name, address, clientKey, template) {
  const file = (path, text, mode = 0o644) => {
    mkdirSync(join(upper, path, ".."), { recursive: true });
    writeFileSync(join(upper, path), text, { mode });
  };
  file("etc/hostname", `${name}\n`);
  // Its own name resolves (sudo looks it up), as on a server.
  file("etc/hosts", `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  file("etc/ssh/sshd_config.d/deploykit-test.conf", sshdConfig(address));
  mkdirSync(join(upper, "etc/ssh"), { recursive: true });
  const hostKey = await makeKey(join(upper, "etc/ssh/ssh_host_ed25519_key"), `root@${name}`);
  const deploy = readFileSync(join(template, "etc/passwd"), "utf8").match(/^deploy:x:(\d+):(\d+):/m);
  for (const [home, uid, gid] of [
    ["root", 0, 0],
    ["home/deploy", Number(deploy[1]), Number(deploy[2])],
  ]) {
    file(`${home}/.ssh/authorized_keys`, `${clientKey}\n`, 0o600);
    chmodSync(join(upper, home, ".ssh"), 0o700);
    // The upper's copy of the home dir shadows the template's: it keeps the owner's uid.
    chownSync(join(upper, home), uid, gid);
    chownSync(join(upper, home, ".ssh"), uid, gid);
    chownSync(join(upper, home, ".ssh/authorized_keys"), uid, gid);
  }
  return hostKey;
}

function launch(record, nspawn, template) {
  const merged = join(record.dir, "merged");
  const inner = [
    // nspawn's lock and propagation files go to a tmpfs that vanishes with the namespace.
    "mkdir -p /run/systemd/nspawn",
    "mount -t tmpfs tmpfs /run/systemd/nspawn",
    `mount -t overlay overlay -o lowerdir=${template},upperdir=${record.dir}/upper,workdir=${record.dir}/work ${merged}`,
    `exec ${nspawn} -q -D ${merged} -M ${record.machine} -b --network-namespace-path=/run/netns/${namespaceOf(record.slot)} --register=no --keep-unit --console=pipe`,
  ].join(" && ");
  // Enter the host's cgroups, then a private mount namespace: the overlay mount dies with it.
  const outer = [
    ...cgroupDirs(record.machine).map((dir) => `echo $$ > ${dir}/cgroup.procs`),
    `exec unshare --mount --propagation private sh -c '${inner}'`,
  ].join(" && ");
  const log = openSync(join(record.dir, "console.log"), "a");
  const child = spawn("sh", ["-c", outer], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  return child;
}

async function waitForSsh(host, child, deadline) {
  let exited;
  child.once("exit", (code) => {
    exited = code;
  });
  for (;;) {
    if (exited !== undefined) {
      throw new Error(
        `${host.name}: systemd-nspawn exited (${exited}):\n${readFileSync(join(host.dir, "console.log"), "utf8").slice(-3000)}`,
      );
    }
    const ok = await run("ssh", ["-F", host.sshConfig, "-o", "ConnectTimeout=1", host.name, "true"]).then(
      () => true,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${host.name}: sshd not reachable at ${host.address} after boot`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startTestHosts(options = {}) {
  const names = options.hosts ?? ["bare"];
  const started = Date.now();
  const { nspawn, template } = await prepareTools(options.template ?? "bare");
  const toolsMs = Date.now() - started;
  mkdirSync(RECORDS, { recursive: true });
  reapOrphans();

  const dir = mkdtempSync(join(tmpdir(), "dk-test-hosts-"));
  const identityFile = join(dir, "id_ed25519");
  const clientKey = await makeKey(identityFile, "deploykit-test-client");
  const hosts = [];
  const records = [];
  const stop = async () => {
    for (const record of records.splice(0)) {
      reap(record);
      live.delete(record);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const name of names) {
      const slot = await claimSlot();
      const record = {
        owner: process.pid,
        slot,
        machine: `dkth${slot}`,
        dir: mkdtempSync(join(tmpdir(), `dk-host-${name}-`)),
      };
      records.push(record);
      live.add(record);
      writeFileSync(join(RECORDS, `${record.machine}.json`), JSON.stringify(record));
      for (const sub of ["upper", "work", "merged"]) mkdirSync(join(record.dir, sub));
      const { local, remote } = addressesOf(slot);
      const hostKey = await writeUpper(join(record.dir, "upper"), name, remote, clientKey, template);
      hosts.push({
        name,
        slot,
        address: remote,
        controlAddress: local,
        port: 22,
        user: "root",
        dir: record.dir,
        hostKey,
        record,
      });
    }
    const { knownHosts, sshConfig } = await writeClientFiles(dir, identityFile, hosts);
    const deadline = Date.now() + (options.bootTimeoutMs ?? 60_000);
    await Promise.all(
      hosts.map(async (host) => {
        createCgroup(host.record.machine);
        const child = launch(host.record, nspawn, template);
        host.record.launcher = child.pid;
        writeFileSync(join(RECORDS, `${host.record.machine}.json`), JSON.stringify(host.record));
        Object.assign(host, { identityFile, knownHosts, sshConfig, machine: host.record.machine });
        await waitForSsh(host, child, deadline);
      }),
    );
    const readyMs = Date.now() - started - toolsMs;
    const api = hosts.map(({ record, ...host }) => ({
      ...host,
      upper: join(host.dir, "upper"),
      ssh: (command, input) => sshRun(host, command, input),
      setLink: (up) => setLink(host.slot, up),
    }));
    return {
      hosts: api,
      host: (name) => api.find((h) => h.name === name) ?? failNoHost(name),
      dir,
      identityFile,
      knownHosts,
      sshConfig,
      timings: { toolsMs, readyMs },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const failNoHost = (name) => {
  throw new Error(`no test host named ${name}`);
};

/** Runs `command` on a host with a fresh ssh (no multiplexing): for test assertions. */
function sshRun(host, command, input) {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", ["-F", host.sshConfig, host.name, "--", command], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.end(input ?? "");
  });
}
