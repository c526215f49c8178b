import { expect, test } from "vitest";
import { STATEMENT_DESCRIPTOR_SUFFIX_MAX, fullStatementDescriptor, statementDescriptorSuffixProblem } from "./statement-descriptor";

test("a suffix fits the shortest prefix (2) and \"* \" within 22 characters", () => {
  expect(STATEMENT_DESCRIPTOR_SUFFIX_MAX).toBe(18);
  expect(statementDescriptorSuffixProblem("TOP UP")).toBeNull();
  expect(statementDescriptorSuffixProblem("Balance 4 U-2.0 &co")).toMatch(/at most 18/);
  expect(statementDescriptorSuffixProblem(" TOP UP")).toMatch(/space/);
  expect(statementDescriptorSuffixProblem("TOP>UP")).toMatch(/must not contain/);
  expect(statementDescriptorSuffixProblem("TOP\\UP")).toMatch(/must not contain/);
  expect(statementDescriptorSuffixProblem("100%")).toMatch(/letter/);
});

test("the statement shows PREFIX* SUFFIX in capitals", () => {
  expect(fullStatementDescriptor("Navixy", "Top up")).toBe("NAVIXY* TOP UP");
});
