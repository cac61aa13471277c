import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REMOTE_COMMANDS, shQuote } from "../src/connection/remote-commands";
import { lintRemoteScript } from "./support/remote-lint";

describe("remote command catalogue", () => {
  it.each(Object.entries(REMOTE_COMMANDS))("%s uses only what Ubuntu 12.04 ships", (_name, script) => {
    expect(lintRemoteScript(script)).toEqual([]);
  });

  it("the check catches commands and flags a 12.04 server lacks, and bashisms", () => {
    expect(lintRemoteScript('realpath -- "$1"')).toEqual([
      'command "realpath" is not in the Ubuntu 12.04 list',
    ]);
    expect(lintRemoteScript('tar --zstd -xf "$1"')).toEqual([
      `tar --zstd: flag "--zstd" is not in Ubuntu 12.04's tar`,
    ]);
    expect(lintRemoteScript("x=$(flock --conflict-exit-code 3 /l true)")).toHaveLength(1);
    expect(lintRemoteScript('set -e\nln -r -s "$1" "$2"')).toEqual([
      `ln -r: flag "r" is not in Ubuntu 12.04's ln`,
    ]);
    expect(lintRemoteScript('if [[ -e "$1" ]]; then echo ${1,,}; fi')).toEqual(
      expect.arrayContaining(["[[ (bash)", "${var,,} / ${var^^} / ${var//} (bash)"]),
    );
    expect(lintRemoteScript('$tool "$1"')).toEqual([
      "a command held in a variable ($tool) cannot be checked",
    ]);
    expect(lintRemoteScript(`trap 'shred -u "$tmp"' 0`)).toEqual([
      'command "shred" is not in the Ubuntu 12.04 list',
    ]);
  });

  it("quotes words for sh so arguments are never interpolated", () => {
    expect(shQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  });

  // Killing the SSH master mid-write ends the remote `cat`'s stdin early; the shell then went on
  // and placed the short bytes: a lock no one could parse or remove (E_LOCKED for good), a cut
  // state.json. Run here with this machine's sh, fed the short stdin the cut leaves.
  describe("a write whose stdin ends short places nothing (exit 7)", () => {
    const record = '{"pid":1234,"token":"abc"}\n';
    const short = record.slice(0, 9);
    const runScript = (script: string, args: string[], input: string) =>
      spawnSync("sh", ["-c", script, "sh", ...args], { input }).status;
    const inDir = (check: (dir: string) => void) => {
      const dir = mkdtempSync(join(tmpdir(), "dk-short-"));
      try {
        check(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const length = String(Buffer.byteLength(record));

    it("createExclusive", () =>
      inDir((dir) => {
        const lock = join(dir, "lock");
        expect(runScript(REMOTE_COMMANDS.createExclusive, [lock, length], short)).toBe(7);
        expect(readdirSync(dir)).toEqual([]);
        expect(runScript(REMOTE_COMMANDS.createExclusive, [lock, length], record)).toBe(0);
        expect(readdirSync(dir)).toEqual(["lock"]);
      }));

    it("writeFile", () =>
      inDir((dir) => {
        const state = join(dir, "state.json");
        writeFileSync(state, "old");
        expect(runScript(REMOTE_COMMANDS.writeFile, [state, "644", length], short)).toBe(7);
        expect(readdirSync(dir)).toEqual(["state.json"]);
        expect(spawnSync("cat", [state]).stdout.toString()).toBe("old");
        expect(runScript(REMOTE_COMMANDS.writeFile, [state, "644", length], record)).toBe(0);
        expect(spawnSync("cat", [state]).stdout.toString()).toBe(record);
      }));

    it("takeOverLock", () =>
      inDir((dir) => {
        const lock = join(dir, "lock");
        writeFileSync(lock, "stale");
        expect(runScript(REMOTE_COMMANDS.takeOverLock, [lock, "stale", "t1", length], short)).toBe(7);
        expect(readdirSync(dir)).toEqual(["lock"]);
        expect(spawnSync("cat", [lock]).stdout.toString()).toBe("stale");
        expect(runScript(REMOTE_COMMANDS.takeOverLock, [lock, "stale", "t1", length], record)).toBe(0);
        expect(spawnSync("cat", [lock]).stdout.toString()).toBe(record);
      }));
  });
});
