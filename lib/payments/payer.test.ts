import { describe, expect, test } from "vitest";
import { foldForSearch, payerOf, payerTerms, prefixRange, searchWords } from "./payer";

const user = (u: Partial<Record<"firstName" | "middleName" | "lastName" | "legalName" | "legalType" | "login", string>>) => ({
  firstName: "",
  middleName: "",
  lastName: "",
  legalName: "",
  legalType: "",
  login: "",
  ...u,
});

describe("who paid", () => {
  test("a person by their name, a company by its legal name, a person's company beside their name", () => {
    expect(payerOf(user({ firstName: " Jane ", middleName: "Q.", lastName: "Smith", login: "jane@example.com" }))).toEqual({ payerName: "Jane Q. Smith", payerLogin: "jane@example.com" });
    expect(payerOf(user({ legalName: "Acme Logistics", legalType: "legal_entity", firstName: "Fleet", lastName: "Desk" }))).toEqual({ payerName: "Acme Logistics", payerLogin: null });
    expect(payerOf(user({ firstName: "Ivan", lastName: "Petrov", legalName: "IP Petrov", legalType: "sole_trader" })).payerName).toBe("Ivan Petrov (IP Petrov)");
    expect(payerOf(user({}))).toEqual({ payerName: null, payerLogin: null });
  });

  test("the words a payer is found by: folded, every word of the name, the whole login", () => {
    expect(foldForSearch("  Müller-Lüdenscheidt ")).toBe("muller-ludenscheidt");
    expect(searchWords("Anna Maria Müller-Lüdenscheidt")).toEqual(["anna", "maria", "muller", "ludenscheidt"]);
    expect(payerTerms({ payerName: "Jane Smith", payerLogin: "Jane.Smith@Example.com" })).toEqual(["jane.smith@example.com", "jane", "smith"]);
    expect(payerTerms({ payerName: "Олег Иванов", payerLogin: null })).toEqual(["олег", "иванов"]);
    expect(payerTerms({ payerName: null, payerLogin: null })).toEqual([]);
  });

  test("a prefix is a range in code point order", () => {
    const { gte, lt } = prefixRange("smi");
    for (const term of ["smi", "smith", "smi\u00e9", "smi😀"]) expect(term >= gte && term < lt, term).toBe(true);
    for (const term of ["sm", "smj", "sma"]) expect(term >= gte && term < lt, term).toBe(false);
  });
});
