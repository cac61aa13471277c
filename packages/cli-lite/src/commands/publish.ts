import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { DeployKitError, type PublishedRelease, publish } from "@deploykit/core";
import { storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { openStore } from "../store";
import { signKeyArgs, signKeyFromSettings } from "../trust";

const args = {
  artifact: { type: "positional", description: "The built artifact (.tgz or .deb)", required: true },
  manifest: {
    type: "string",
    valueHint: "file",
    description: "Its manifest (default: <artifact>.manifest.json, written by `deploykit build`)",
  },
  channel: {
    type: "string",
    description: "Move this channel (e.g. production) to the release (config: channel)",
  },
  ...signKeyArgs,
  ...storeArgs,
} as const;

/** The artifact must be a file before its manifest is even looked at. */
async function assertArtifact(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return;
  throw new DeployKitError(
    "E_NOT_FOUND",
    info ? `The artifact ${path} is not a file.` : `The artifact ${path} does not exist.`,
    {
      hint: "Pass the .tgz or .deb that `deploykit build` wrote (it prints the path).",
      details: { path },
    },
  );
}

async function readBuiltManifest(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new DeployKitError("E_INVALID_INPUT", `The manifest ${path} cannot be read.`, {
      cause,
      hint: "Publish an artifact made by `deploykit build` (it writes <artifact>.manifest.json), or pass --manifest.",
      details: { path },
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DeployKitError("E_MANIFEST_INVALID", `The manifest ${path} is not valid JSON.`, {
      cause,
      hint: "Build the artifact again; its manifest file is damaged.",
      details: { path },
    });
  }
}

/** What publish says about the stored signature: only the key it holds, and what it replaced. */
function signedLines(signature: PublishedRelease["signature"]): string[] {
  if (!signature) return [];
  const { keyId, replaced } = signature;
  if (!replaced) return [`Signed with key ${keyId}.`];
  const previous = replaced.keyId ? `by key ${replaced.keyId}` : "that did not verify";
  return [`Signed with key ${keyId} (replaced the signature ${previous}).`];
}

/** `deploykit publish <artifact>` → `publish()`. */
export const publishCommand: CommandSpec<typeof args> = {
  name: "publish",
  description: "Upload a built artifact and its manifest to the store; optionally move a channel",
  args,
  async run({ args, settings, io, onEvent, signal }) {
    const path = resolve(io.cwd, args.artifact);
    const manifestPath = args.manifest ? resolve(io.cwd, args.manifest) : `${path}.manifest.json`;
    await assertArtifact(path);
    const signKey = await signKeyFromSettings(settings, io.cwd);
    const store = await openStore(settings, io.cwd, onEvent);
    const manifest = (await readBuiltManifest(manifestPath)) as Parameters<typeof publish>[0]["manifest"];
    const channel = settings.string("channel");
    const result = await publish({ path, manifest }, { store, channel, signKey, onEvent, signal });
    const { app, version } = result.manifest;
    return {
      value: result,
      lines: [
        result.unchanged
          ? `${app} ${version} was already published to ${result.location} with the same bytes (unchanged).`
          : `Published ${app} ${version} to ${result.location}.`,
        ...(result.channel ? [`Channel ${channel} → ${result.channel.version}.`] : []),
        ...signedLines(result.signature),
      ],
    };
  },
};
