import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { isDeployKitError } from "../errors";
import type { ArtifactStore } from "../store/artifact-store";

/** One case of a contract kit: a name and an async check that throws on failure. */
export interface ContractCase {
  name: string;
  run: () => Promise<void>;
}

const read = async (store: ArtifactStore, key: string, range?: { start: number; end?: number }) =>
  (await buffer(await store.get(key, range ? { range } : {}))).toString();

const rejectsWith = async (work: Promise<unknown>, code: string) =>
  assert.rejects(work, (error) => isDeployKitError(error) && error.code === code);

/**
 * The cases every {@link ArtifactStore} must pass, runnable from any test framework:
 * `for (const c of storeContractCases(make)) it(c.name, c.run)`. `make` returns a fresh,
 * empty store for each case.
 */
export function storeContractCases(make: () => Promise<ArtifactStore> | ArtifactStore): ContractCase[] {
  const cases: [string, (store: ArtifactStore) => Promise<void>][] = [
    [
      "put then get returns the same bytes",
      async (store) => {
        await store.put("apps/a/x.txt", "hello");
        assert.equal(await read(store, "apps/a/x.txt"), "hello");
      },
    ],
    [
      "put accepts a stream and a buffer",
      async (store) => {
        await store.put("s", Readable.from([Buffer.from("ab"), Buffer.from("cd")]));
        await store.put("b", new Uint8Array([0x65, 0x66]));
        assert.equal(await read(store, "s"), "abcd");
        assert.equal(await read(store, "b"), "ef");
      },
    ],
    [
      "get returns a byte range, both ends inclusive",
      async (store) => {
        await store.put("r", "0123456789");
        assert.equal(await read(store, "r", { start: 2, end: 5 }), "2345");
        assert.equal(await read(store, "r", { start: 7 }), "789");
      },
    ],
    [
      "head reports size, and undefined for a missing key",
      async (store) => {
        await store.put("h", "12345");
        assert.equal((await store.head("h"))?.size, 5);
        assert.equal(await store.head("missing"), undefined);
      },
    ],
    [
      "get of a missing key is E_NOT_FOUND",
      async (store) => {
        await rejectsWith(store.get("nope/x"), "E_NOT_FOUND");
      },
    ],
    [
      "list returns keys under a prefix, sorted",
      async (store) => {
        for (const key of ["apps/b/2", "apps/a/2", "apps/a/1", "other/1"]) await store.put(key, key);
        assert.deepEqual(
          (await store.list("apps/a/")).map((o) => o.key),
          ["apps/a/1", "apps/a/2"],
        );
        assert.deepEqual(
          (await store.list("apps/")).map((o) => o.key),
          ["apps/a/1", "apps/a/2", "apps/b/2"],
        );
        assert.deepEqual(await store.list("none/"), []);
      },
    ],
    [
      "put overwrites unless ifAbsent",
      async (store) => {
        await store.put("k", "one");
        await store.put("k", "two");
        assert.equal(await read(store, "k"), "two");
        await rejectsWith(store.put("k", "three", { ifAbsent: true }), "E_OBJECT_EXISTS");
        assert.equal(await read(store, "k"), "two");
        await store.put("fresh", "new", { ifAbsent: true });
        assert.equal(await read(store, "fresh"), "new");
      },
    ],
    [
      "delete removes, and deleting a missing key is fine",
      async (store) => {
        await store.put("d", "x");
        await store.delete("d");
        assert.equal(await store.head("d"), undefined);
        await store.delete("d");
      },
    ],
    [
      "a failed put leaves nothing under the key",
      async (store) => {
        const failing = new Readable({
          read() {
            this.push(Buffer.alloc(1024, 1));
            this.destroy(new Error("source failed"));
          },
        });
        await assert.rejects(store.put("partial", failing));
        assert.equal(await store.head("partial"), undefined);
        assert.deepEqual(
          (await store.list("")).map((o) => o.key).filter((k) => k.includes("partial")),
          [],
        );
      },
    ],
    [
      "keys that could escape the store are refused",
      async (store) => {
        for (const key of ["../x", "a/../b", "/abs", "a//b", ""])
          await rejectsWith(store.put(key, "x"), "E_INVALID_INPUT");
      },
    ],
  ];
  return cases.map(([name, check]) => ({ name, run: async () => check(await make()) }));
}
