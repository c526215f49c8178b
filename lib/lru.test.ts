import { expect, test } from "vitest";
import { LruCache } from "./lru";

test("keeps the most recently used entries up to its capacity and tells of each that leaves, not of one replaced", () => {
  const left: string[] = [];
  const cache = new LruCache<string, number>(2, (key, value) => left.push(`${key}=${value}`));
  cache.set("a", 1);
  cache.set("b", 2);
  expect(cache.get("a")).toBe(1); // a is now the most recently used
  cache.set("c", 3);
  expect(left).toEqual(["b=2"]);
  expect(cache.peek("b")).toBeUndefined();
  cache.set("a", 10); // replaced under the same key: nothing left
  expect(left).toEqual(["b=2"]);
  expect(cache.peek("c")).toBe(3); // peeking does not make it recent
  cache.set("d", 4);
  expect(left).toEqual(["b=2", "c=3"]);
  cache.delete("a");
  cache.delete("a"); // already gone: told once
  expect(left).toEqual(["b=2", "c=3", "a=10"]);
  expect(cache.size).toBe(1);
});
