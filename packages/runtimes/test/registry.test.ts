import { isDeployKitError } from "@deploykit/core";
import { createStrategy, strategyNames } from "@deploykit/runtimes";
import { describe, expect, it } from "vitest";

describe("createStrategy()", () => {
  it("builds every built-in strategy by name, with its options", () => {
    expect(strategyNames).toHaveLength(10);
    expect(createStrategy({ strategy: "unicorn", pidFile: "/srv/unicorn.pid" }).name).toBe("unicorn");
    expect(createStrategy({ strategy: "systemd", unit: "web.service" }).name).toBe("systemd");
    expect(createStrategy({ strategy: "command", restart: "true", name: "touch" }).name).toBe("touch");
  });

  it("refuses an unknown name and bad options before anything runs", () => {
    const unknown = (() => {
      try {
        createStrategy({ strategy: "passenger" } as never);
      } catch (error) {
        return error;
      }
    })();
    expect(isDeployKitError(unknown, "E_INVALID_INPUT")).toBe(true);
    expect((unknown as { hint: string }).hint).toContain("unicorn");
    expect(() => createStrategy({ strategy: "unicorn", mode: "restart" as never })).toThrow(/mode/);
  });
});
