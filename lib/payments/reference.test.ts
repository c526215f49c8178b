import { expect, test } from "vitest";
import { newId } from "../ids";
import { paymentIdTailOfReference, paymentReference } from "./reference";

test("a payment's reference is the end of its id, in two groups, and reads back to it however it is typed", () => {
  const id = newId("pay");
  const reference = paymentReference(id);
  expect(reference).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  expect(id.endsWith(reference.replace("-", "").toLowerCase())).toBe(true);
  for (const typed of [reference, reference.toLowerCase(), reference.replace("-", ""), ` ${reference.replace("-", " ")} `]) {
    expect(paymentIdTailOfReference(typed), typed).toBe(id.slice(-8));
  }
  // Crockford's readings of look-alike letters.
  expect(paymentIdTailOfReference("O1IL-ABCD")).toBe("0111abcd");
  // Not a reference: too short or long, or a letter no id has.
  for (const text of ["", "ABC-DEF", "ABCD-EFGHJ", "ABCD-EFGU", "pay_01", "12345"]) expect(paymentIdTailOfReference(text), text).toBeNull();
});
