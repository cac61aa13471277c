import {
  DEFAULT_SECRET_NAME_PATTERN,
  isSecret,
  MIN_SECRET_LENGTH,
  mergePkgrOptions,
  parsePkgrArgs,
  pkgrYmlToOptions,
  secretValues,
} from "@deploykit/pkgr";
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/buildpack/redact";
import { createSecretScanner } from "../src/buildpack/secret-scan";

/** The seed's --env words, with values where the seed left them empty. */
const SEED_ENV = {
  RAILS_SECRET_TOKEN: "s3cr3t-rails-token",
  AWS_ASSETS_BUCKET: "ttm-assets",
  AWS_ACCESS_KEY: "aws-access-key-value",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
  DATABASE_URL: "postgres://app:hunter2@db.internal/app",
  ROLE_ID: "Debug.1",
  BUNDLE_WITHOUT: "development test",
};

describe("secretValues: which build vars are secrets", () => {
  it("the seed's secrets by name, its settings not", () => {
    expect(Object.keys(secretValues(SEED_ENV)).sort()).toEqual([
      "AWS_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID",
      "DATABASE_URL",
      "RAILS_SECRET_TOKEN",
    ]);
  });

  it("declared names, any-case name matches, and URLs with credentials are secrets; empty values are not", () => {
    const env = {
      MY_SALT: "pepper-and-salt",
      secret_key_base: "abcdef123456",
      DB_PASSWD: "pw-pw-pw",
      GOOGLE_CREDENTIALS: "{}",
      REDIS_URL: "redis://:cache-pass@cache:6379/0",
      GIT_URL: "https://ghp_tokenvalue@example.invalid/org/repo.git",
      ASSET_HOST: "https://cdn.example.invalid/assets",
      SSH_REPO: "ssh://git@example.invalid/org/repo.git",
      API_TOKEN: "",
      RAILS_ENV: "production",
    };
    expect(Object.keys(secretValues(env, { names: ["MY_SALT"] })).sort()).toEqual([
      "DB_PASSWD",
      "GIT_URL",
      "GOOGLE_CREDENTIALS",
      "MY_SALT",
      "REDIS_URL",
      "secret_key_base",
    ]);
    expect(isSecret("STACK", "cedar-14")).toBe(false);
    expect(isSecret("ROLE", "x", { pattern: /ROLE/ })).toBe(true);
    expect(DEFAULT_SECRET_NAME_PATTERN.test("AWS_SECRET_ACCESS_KEY")).toBe(true);
  });
});

describe("declaring secrets", () => {
  it("--secret NAME (repeatable, comma list) and .pkgr.yml secrets: are unioned", () => {
    const args = parsePkgrArgs(["--env", "MY_SALT=pepper", "--secret", "MY_SALT", "--secret=A,B", "app"]);
    expect(args.secrets).toEqual(["MY_SALT", "A", "B"]);
    expect(args.appDir).toBe("app");
    const file = pkgrYmlToOptions({ secrets: ["C", "A"] }, ".pkgr.yml");
    expect(mergePkgrOptions(file, args).secrets).toEqual(["C", "A", "MY_SALT", "B"]);
  });
});

describe("createRedactor: every form a buildpack may print", () => {
  const MULTI = "firstline-Qz7\nsecondline-Wx9";
  const redact = createRedactor({ RAILS_SECRET_TOKEN: MULTI, DB_PASSWORD: "p@ss word/+x" });
  const b64 = (text: string) => Buffer.from(text).toString("base64");

  it("masks the whole value and each line of a multi-line value", () => {
    expect(redact(`token=${MULTI}`)).toBe("token=[redacted:RAILS_SECRET_TOKEN]");
    expect(redact("firstline-Qz7")).toBe("[redacted:RAILS_SECRET_TOKEN]");
    expect(redact("  secondline-Wx9  ")).toBe("  [redacted:RAILS_SECRET_TOKEN]  ");
  });

  it("masks URL-encoded and base64 forms, at any alignment, standard and URL-safe", () => {
    expect(redact(`url: ${encodeURIComponent("p@ss word/+x")}`)).toBe("url: [redacted:DB_PASSWORD]");
    expect(redact("form: p%40ss+word%2F%2Bx")).toBe("form: [redacted:DB_PASSWORD]");
    for (const prefix of ["", "u:", "us:", "use:"]) {
      for (const suffix of ["", "\n", "-tail"]) {
        const encoded = b64(`${prefix}${MULTI}${suffix}`);
        const out = redact(`Authorization: Basic ${encoded}`);
        expect(out, `${prefix}|${suffix}`).toContain("[redacted:RAILS_SECRET_TOKEN]");
        // What is left of the encoded text around the mask decodes to no byte of the secret.
        const [before, after] = out
          .replace("Authorization: Basic ", "")
          .split("[redacted:RAILS_SECRET_TOKEN]");
        expect(Buffer.from(before ?? "", "base64").toString(), "before").toBe(
          prefix.slice(0, Math.floor(((before ?? "").length * 3) / 4)),
        );
        expect(Buffer.from(after ?? "", "base64").toString("latin1"), "after").not.toMatch(/x9|9\n/);
      }
    }
    const urlSafe = Buffer.from(`??${MULTI}`).toString("base64url");
    expect(redact(urlSafe)).toContain("[redacted:RAILS_SECRET_TOKEN]");
  });

  it("leaves ordinary output alone: short values, short lines and short encodings are not masked", () => {
    const short = createRedactor({ A_TOKEN: "abc", B_KEY: "x\nabcd-line\nyes", C_SECRET: "abcd" });
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(short("abc x yes no")).toBe("abc x yes no");
    expect(short("abcd-line")).toBe("[redacted:B_KEY]");
    // "abcd" is 4 characters: its own base64 (YWJjZA==) is masked only as the whole value's form
    expect(short("YWJj and YmNk")).toBe("YWJj and YmNk");
    expect(short("Installing rails 7.1.3, bundler 2.5.6 (development test)")).toBe(
      "Installing rails 7.1.3, bundler 2.5.6 (development test)",
    );
  });
});

describe("createSecretScanner", () => {
  it("finds a secret's value across chunk borders and names only secrets", () => {
    const scanner = createSecretScanner(secretValues(SEED_ENV));
    scanner.scan(Buffer.from("BUNDLE_WITHOUT: development test\nkey: s3cr3t-ra"));
    scanner.scan(Buffer.from("ils-token\n"));
    expect(scanner.found()).toEqual(["RAILS_SECRET_TOKEN"]);
  });
});
