import { realpath } from "node:fs/promises";
import { relative } from "node:path";
import type { ProbeOutcome } from "./healthcheck";
import type { PortOwner } from "./host/port-owner";

/** What the health gate knows to tell which release answered its probe. */
export interface ReleaseProof {
  /** The release that must answer. */
  version: string;
  /** Every other release installed under the root (a body naming one of them is a wrong answer). */
  others: string[];
  /** The host root; the port's owner counts only when it runs from `<root>/releases/<v>`. */
  root: string;
  /** The health URL. Its port is looked up in the host's `/proc` when its host is a loopback name. */
  url: string;
  /** A response header the app sets to its release (e.g. `X-Release`); it wins over the body. */
  header?: string;
  /** True when the root is on this machine (its path is then resolved with `realpath`). */
  local: boolean;
  /**
   * The processes holding the listening socket on a port of the host the root is on (and the
   * probe runs from): `portOwners` here, `remotePortOwners` over SSH.
   */
  owners(port: number): Promise<PortOwner[]>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

const portOf = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80));

/** The port of `url` when its host is a loopback name (its holders can be looked up on the root's host), else undefined. */
export function loopbackPort(url: string): number | undefined {
  const target = new URL(url);
  return LOOPBACK.has(target.hostname) ? portOf(target) : undefined;
}

/**
 * Those of `owners` that run from a release of `root` (`<root>/releases/<version>`); on this
 * machine (`local`) the root is compared by real path, as the kernel reports working directories.
 */
export async function ownersFromRoot<T extends Pick<PortOwner, "release">>(
  owners: readonly T[],
  root: string,
  local: boolean,
): Promise<T[]> {
  const real = (path: string) => (local ? realpath(path).catch(() => path) : Promise.resolve(path));
  const ours = await real(root);
  const from: T[] = [];
  for (const owner of owners)
    if (owner.release && (await real(owner.release.root)) === ours) from.push(owner);
  return from;
}

/** Bare numbers shorter than 4 digits (`1`, `12`) are too common in bodies to name a release. */
const telling = (version: string) => !/^\d{1,3}$/.test(version);

/** Whether `version` stands as a whole word in `text`, `v` prefix allowed (`1.0.0` is not in `11.0.0` or `1.0.0.1`). */
function mentions(text: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:^|[^\\w.-]|(?<![\\w.-])v)${escaped}(?![\\w-]|\\.\\w)`).test(text);
}

/** The release a probe's answer names itself: the operator's header, else a version in the body. */
function namedRelease(
  proof: ReleaseProof,
  outcome: ProbeOutcome,
): { version: string; how: string } | undefined {
  if (proof.header) {
    const value = outcome.headers?.[proof.header.toLowerCase()];
    const text = Array.isArray(value) ? value.join(", ") : value;
    if (text) return { version: text.trim(), how: `header ${proof.header}: ${text.trim()}` };
  }
  if (mentions(outcome.body, proof.version)) return { version: proof.version, how: "body" };
  const other = proof.others.find((v) => v !== proof.version && telling(v) && mentions(outcome.body, v));
  return other === undefined ? undefined : { version: other, how: "body" };
}

/**
 * Builds the gate's check of who answered: for an answer the probe accepted (2xx), the release it
 * came from, told by the operator's header, else a version in the body, else — without help from
 * the app — the processes holding the URL's listening socket on the root's host (`/proc/net/tcp`
 * inode, then `/proc/<pid>/fd` and `/proc/<pid>/cwd`; over SSH read on the server): when every one of them that runs from a release of this
 * root runs from another release, the old code answers. Returns undefined when the new release
 * answered or nothing tells; else what answered, e.g. `port 5000 answers 1.0.0 from pid 1234 in
 * releases/1.0.0, not 2.0.0 (HTTP 200: ok 1.0.0)`.
 */
export function releaseVerifier(proof: ReleaseProof): (outcome: ProbeOutcome) => Promise<string | undefined> {
  const target = new URL(proof.url);
  const port = portOf(target);
  const inspectable = LOOPBACK.has(target.hostname);
  const root = proof.local ? realpath(proof.root).catch(() => proof.root) : Promise.resolve(proof.root);
  const where = async (owner: PortOwner) => `pid ${owner.pid} in ${relative(await root, owner.cwd ?? "")}`;

  return async (outcome) => {
    const named = namedRelease(proof, outcome);
    if (named?.version === proof.version) return undefined;
    const holders = inspectable ? await proof.owners(port).catch(() => []) : [];
    const fromRoot = await ownersFromRoot(holders, proof.root, proof.local);
    const fromNew = fromRoot.filter((owner) => owner.release?.version === proof.version);
    if (named === undefined && (fromRoot.length === 0 || fromNew.length > 0)) return undefined;
    const version = named?.version ?? (fromRoot[0]?.release?.version as string);
    const owner = fromRoot.find((o) => o.release?.version === version) ?? fromRoot[0];
    const from = owner ? ` from ${await where(owner)}` : "";
    const how = named?.how.startsWith("header") ? `, ${named.how}` : "";
    return `port ${port} answers ${version}${from}, not ${proof.version} (${outcome.seen}${how})`;
  };
}
