import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { ExecOptions, ExecResult } from "./connection";

/**
 * Runs a program (`sh` locally, the `ssh` client for a remote host) and resolves with its exit
 * code and output; a non-zero exit is not thrown. stdin is streamed from `options.input`; when
 * the source fails or `signal` fires, the child is killed (for ssh: the server sees the channel
 * close before the input ended, never a clean end of input). A child killed by a signal reports
 * 128 + 127 = 255 like ssh's own failures: no result is trusted.
 */
export function spawnChild(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const kill = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", kill, { once: true });
    if (options.stdout) child.stdout.pipe(options.stdout, { end: false });
    else child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", kill);
      reject(error);
    });
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", kill);
      resolve({
        exitCode: code ?? (signal ? 255 : 1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on("error", () => undefined); // EPIPE when ssh died: the exit code tells
    const input = options.input;
    if (input === undefined) child.stdin.end();
    else if (typeof input === "string" || input instanceof Uint8Array) child.stdin.end(input);
    else {
      (input as Readable).once("error", kill);
      (input as Readable).pipe(child.stdin);
    }
  });
}
