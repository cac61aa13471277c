import { describe, expect, it } from "vitest";
import { deploykit } from "./support/cli";

const COMMANDS = [
  "build",
  "package",
  "publish",
  "install",
  "deploy",
  "rollback",
  "releases",
  "restart",
  "vendor",
];

describe("the deploykit shell", () => {
  it("--help lists the commands and exits 0", async () => {
    const run = await deploykit(["--help"]);
    expect(run.exitCode).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, "m"));
  });

  it.each(COMMANDS)("%s --help shows its usage and exits 0", async (command) => {
    const run = await deploykit([command, "--help"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`deploykit ${command}`);
    expect(run.stdout).toContain("--json");
  });

  it("--version prints the package version", async () => {
    const run = await deploykit(["--version"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [[], "No command given"],
    [["deploi"], 'Unknown command "deploi"'],
    [["install", "--stor", "x"], "Unknown flag --stor"],
    [["releases", "--root", "/tmp", "extra"], "Unexpected argument"],
    [["publish"], "Missing required positional argument: ARTIFACT"],
    [["install", "--app", "web", "--version", "1.0.0"], "needs --root"],
    [
      ["install", "--root", "/tmp/x", "--keep", "many", "--app", "web", "--store", "s"],
      "--keep must be a whole number",
    ],
  ])("usage error %j exits 2 and says what is wrong", async (args, message) => {
    const run = await deploykit(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("hint:");
  });

  it("usage errors are JSON objects with --json (which may also come before the command)", async () => {
    const run = await deploykit(["--json", "install", "--bogus"]);
    expect(run.exitCode).toBe(2);
    const [error] = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(error).toMatchObject({
      type: "error",
      code: "E_USAGE",
      message: expect.stringContaining("--bogus"),
    });
  });
});
