import { describe, expect, it } from "vitest";
import { remoteFailed } from "../src/connection/connection-errors";

// `--sudo` against a server without sudo: the shell's exit 127 was E_COMMAND_FAILED
// ("readFile failed on testhost (exit 127): sudo: command not found"); it names the tool now.
describe("remoteFailed", () => {
  it.each([
    ["bash", "bash: line 1: sudo: command not found"],
    ["dash", "sh: 1: sudo: not found"],
  ])("no sudo on the server (%s) is E_TOOL_MISSING naming sudo", (_shell, stderr) => {
    const error = remoteFailed("testhost", "readFile", 127, stderr);
    expect(error.code).toBe("E_TOOL_MISSING");
    expect(error.message).toContain("sudo is not installed on testhost");
    expect(error.hint).toContain("--sudo");
  });

  it("another command's exit 127 (sudo present) stays E_COMMAND_FAILED", () => {
    expect(remoteFailed("testhost", "run", 127, "sh: 1: dpkgx: not found").code).toBe("E_COMMAND_FAILED");
    expect(remoteFailed("testhost", "run", 127, "sudo: dpkgx: command not found").code).toBe(
      "E_COMMAND_FAILED",
    );
  });
});
