import { describe, expect, it } from "vitest";
import { maskName } from "./masking";

const base = { firstName: "", lastName: "", legalName: "", login: "" };

describe("maskName", () => {
  it("masks first and last name", () => {
    expect(maskName({ ...base, firstName: "Jane", lastName: "Smith" })).toBe("J*** S***");
    expect(maskName({ ...base, firstName: "  Jane  ", lastName: "" })).toBe("J***");
    expect(maskName({ ...base, firstName: "Mary Ann", lastName: "van der Berg" })).toBe("M*** A*** v*** d***");
  });

  it("falls back to the legal name, then the login's local part, then a generic label", () => {
    expect(maskName({ ...base, legalName: "Acme Logistics" })).toBe("A*** L***");
    expect(maskName({ ...base, login: "jsmith@example.com" })).toBe("j***");
    expect(maskName({ ...base })).toBe("Navixy user");
    expect(maskName({ ...base, firstName: "  ", login: "@x" })).toBe("Navixy user");
    expect(maskName(undefined)).toBe("Navixy user");
  });

  it("is Unicode-safe and never reveals more than one character per word", () => {
    expect(maskName({ ...base, firstName: "Ólafur", lastName: "Þórsson" })).toBe("Ó*** Þ***");
    expect(maskName({ ...base, firstName: "Юлия", lastName: "Иванова" })).toBe("Ю*** И***");
    expect(maskName({ ...base, firstName: "𝒜lice", lastName: "李小龙" })).toBe("𝒜*** 李***");
    expect(maskName({ ...base, legalName: "Smith & Co. (\"Fleet\")" })).toBe("S*** C*** F***");
    const masked = maskName({ ...base, legalName: "One Two Three Four Five Six" });
    expect(masked).toBe("O*** T*** T*** F***");
    for (const word of masked.split(" ")) expect(Array.from(word.replace(/\*+$/, "")).length).toBe(1);
  });
});
