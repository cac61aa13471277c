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
});
