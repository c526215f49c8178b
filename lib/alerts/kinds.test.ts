import { describe, expect, test } from "vitest";
import { commandFor } from "./kinds";

describe("commandFor", () => {
  test("names a hosted dealer, and nothing for the environment's", () => {
    expect(commandFor("credits_waiting", { slug: "acme", isDefault: false })).toBe("npm run payments -- --dealer acme attention");
    expect(commandFor("credits_waiting", { slug: "default", isDefault: true })).toBe("npm run payments -- attention");
  });

  test("a reconciled day's differences: the command shows that day's", () => {
    expect(commandFor("reconciliation_difference", { slug: "acme", isDefault: false }, "2026-12-06")).toBe(
      "npm run payments -- --dealer acme reconcile --date 2026-12-06   (once fixed, again with --again)",
    );
    // A subject that is not a day is never pasted into a command.
    expect(commandFor("reconciliation_difference", { slug: "default", isDefault: true }, "x; rm -rf /")).toBe(
      "npm run payments -- reconcile --date <day>   (once fixed, again with --again)",
    );
  });
});
