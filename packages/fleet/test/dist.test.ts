import { describe, expect, it } from "vitest";
import { loadBuilt } from "../../../test-support/dist";

describe("the built @deploykit/fleet loads through import and require", () => {
  it.each([
    ["@deploykit/fleet", ["deployFleet", "loadInventory", "parseInventory", "planRollout", "hostDeployStep"]],
    ["@deploykit/fleet/testing", ["createFleetDouble", "createSimulatedClock"]],
  ])("%s", (specifier, names) => {
    const { esm, cjs } = loadBuilt(specifier);
    expect(esm).toEqual(expect.arrayContaining(names));
    expect(cjs).toEqual(esm);
  });
});
