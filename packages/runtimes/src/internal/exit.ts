import type { ProcessExit } from "@deploykit/core";

/**
 * How a started process ended (`code 3`, `signal SIGKILL`), from the runner's `exited` promise;
 * undefined when the runner cannot tell (a remote host) or it does not settle within 1 s.
 */
export async function exitOf(exited: Promise<ProcessExit> | undefined): Promise<string | undefined> {
  if (exited === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 1_000);
  });
  const exit = await Promise.race([exited, late]).finally(() => clearTimeout(timer));
  if (exit === undefined) return undefined;
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.exitCode}`;
}
