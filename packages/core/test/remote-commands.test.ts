import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { failedStep, REMOTE_COMMANDS, sequence, shQuote } from "../src/connection/remote-commands";
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

  // Several catalogue commands in one round trip: each keeps its own args, set -e and traps; the
  // first failure stops the rest and names itself.
  it("a sequence runs its steps in order, stops at the first failure and names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "dk-seq-"));
    try {
      const text = "state $HOME `x`\n";
      const run = (script: string, input?: string) =>
        spawnSync("sh", ["-c", script], { input, encoding: "utf8" });
      const steps = [
        ["mkdirs", [join(dir, "a b"), join(dir, "c")]],
        ["writeFile", [join(dir, "a b", "it's"), "600", String(Buffer.byteLength(text))]],
        ["rename", [join(dir, "c"), join(dir, "d")]],
      ] as const;
      const script = sequence(steps);
      expect(lintRemoteScript(script)).toEqual([]);
      const ok = run(script, text);
      expect(ok.status).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(["a b", "d"]);
      expect(readFileSync(join(dir, "a b", "it's"), "utf8")).toBe(text);

      // rename fails (c is gone): writeFile ran, rename failed, the step after it never ran
      const failing = run(
        sequence([
          ["writeFile", [join(dir, "e"), "644", String(Buffer.byteLength(text))]],
          ["rename", [join(dir, "c"), join(dir, "f")]],
          ["mkdirs", [join(dir, "never")]],
        ]),
        text,
      );
      expect(failing.status).not.toBe(0);
      expect(failedStep(failing.stderr)).toMatchObject({ index: 1, command: "rename" });
      expect(failedStep(failing.stderr).message).toMatch(/No such file/);
      expect(readdirSync(dir).sort()).toEqual(["a b", "d", "e"]);

      // a step's `set -e` still holds inside the sequence: a short stdin places nothing (exit 7)
      const short = run(sequence([["writeFile", [join(dir, "g"), "644", "999"]]]), text);
      expect(short.status).toBe(7);
      expect(failedStep(short.stderr)).toMatchObject({ index: 0, command: "writeFile" });
      expect(readdirSync(dir)).not.toContain("g");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
