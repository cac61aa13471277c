import { access, constants, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { loadBuilt } from "../../../test-support/dist";
import { CLI } from "./support/cli";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

describe("the built @deploykit/cli-lite", () => {
  it("loads through import and require", () => {
    const { esm, cjs } = loadBuilt("@deploykit/cli-lite");
    expect(esm).toEqual(
      expect.arrayContaining(["runCli", "EXIT", "processIo", "CONFIG_FILES", "CONFIG_KEYS"]),
    );
    expect(cjs).toEqual(esm);
  });

  it("dist/cli.js keeps its shebang and is executable, so the `deploykit` bin runs directly", async () => {
    expect((await readFile(CLI, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
    await access(CLI, constants.X_OK);
    const run = await execa(CLI, ["--help"], { reject: false });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("deploykit");
  });

  it("the CJS build loads the S3 store as CJS too, so its DeployKitErrors keep their code", async () => {
    const script = `require("@deploykit/cli-lite").runCli(["releases", "--app", "web", "--store", "s3://bucket/pre?fix", "--json"])`;
    const run = await execa("node", ["-e", script], { cwd: REPO, reject: false });
    expect(JSON.parse(run.stdout)).toMatchObject({ type: "error", code: "E_INVALID_INPUT" });
  });
});
