/**
 * A small JSON parser that keeps number literals as text.
 *
 * Navixy answers balances and amounts as JSON numbers (e.g. `"balance": 12.50`). `JSON.parse` would turn them
 * into doubles and lose the literal (and, for long values, precision). Node 20 has no reviver access to the
 * source text, so we parse ourselves; numbers come back as `JsonNumber` holding the exact literal.
 */

export class JsonNumber {
  constructor(readonly raw: string) {}
  toNumber(): number {
    return Number(this.raw);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 256;

export function parseJsonLossless(text: string): JsonValue {
  let i = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`Invalid JSON: ${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === '"') {
        i++;
        // Decoding escapes is delegated to JSON.parse on the exact slice.
        return JSON.parse(text.slice(start, i)) as string;
      } else i++;
    }
    return fail("unterminated string");
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      // Null prototype: a "__proto__" key must stay data.
      const obj: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected key");
        const key = parseString();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail("unexpected token");
  };

  const result = value(0);
  ws();
  if (i !== text.length) fail("trailing data");
  return result;
}

export function isJsonObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !(v instanceof JsonNumber) && !Array.isArray(v);
}

/** A JSON number or numeric string as a JS number (for ids and codes, never for money). */
export function jsonToNumber(v: JsonValue | undefined): number | undefined {
  if (v instanceof JsonNumber) return v.toNumber();
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The exact text of a JSON number, or a string as is (Navixy sometimes quotes numbers). */
export function jsonToDecimalText(v: JsonValue | undefined): string | undefined {
  if (v instanceof JsonNumber) return v.raw;
  if (typeof v === "string" && /^[+-]?\d+(\.\d+)?$/.test(v.trim())) return v.trim();
  return undefined;
}

export function jsonToString(v: JsonValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof JsonNumber) return v.raw;
  return undefined;
}

export function jsonToBoolean(v: JsonValue | undefined): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v instanceof JsonNumber) return v.toNumber() !== 0;
  return undefined;
}
