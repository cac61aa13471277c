import { mkdir } from "node:fs/promises";
import { extract } from "tar";
import { DeployKitError } from "../errors";
import { assertSafeArchive } from "./archive-guard";

/**
 * Unpacks a `.tgz` release into `dir` (created), after {@link assertSafeArchive} has passed.
 * Extraction runs in node-tar's strict mode, which also refuses writing through symlinks, and
 * strips setuid, setgid and sticky bits. Owners are not restored.
 */
export async function extractRelease(file: string, dir: string): Promise<void> {
  await assertSafeArchive(file);
  await mkdir(dir, { recursive: true });
  try {
    await extract({
      file,
      cwd: dir,
      strict: true,
      preserveOwner: false,
      filter: (_path, entry) => {
        if ("mode" in entry && typeof entry.mode === "number") entry.mode &= 0o777;
        return true;
      },
    });
  } catch (cause) {
    throw new DeployKitError("E_UNSAFE_ARCHIVE", `Could not unpack ${file}: ${(cause as Error).message}`, {
      cause,
      hint: "The artifact is damaged or unsafe; rebuild and republish it.",
      details: { file },
    });
  }
}
