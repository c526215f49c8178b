/**
 * Decoding of Stripe's request encoding: `application/x-www-form-urlencoded`
 * with bracket notation, exactly what stripe-node and Stripe.js send:
 *
 *   automatic_payment_methods[enabled]=true   -> { automatic_payment_methods: { enabled: "true" } }
 *   metadata[order]=42                        -> { metadata: { order: "42" } }
 *   payment_method_types[0]=card              -> { payment_method_types: ["card"] }
 *   expand[]=latest_charge                    -> { expand: ["latest_charge"] }
 *
 * All leaves stay strings (as on the wire); typed reads happen in params.ts.
 * Brackets may arrive raw or percent-encoded (%5B/%5D); both are accepted.
 */

export type ParamValue = string | ParamValue[] | ParamObject;
export interface ParamObject {
  [key: string]: ParamValue;
}

export class FormDecodeError extends Error {}

const MAX_DEPTH = 16;

/** Split `a[b][0][]` into `["a", "b", "0", ""]`. */
export function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first <= 0) return [key];
  const parts = [key.slice(0, first)];
  const rest = key.slice(first);
  const re = /\[([^\]]*)\]/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    parts.push(m[1] ?? "");
    consumed = re.lastIndex;
  }
  // Anything unparseable after the brackets (e.g. `a[b]c`) is kept verbatim
  // as a last segment, mirroring lenient Rack-style parsers.
  if (consumed < rest.length) parts.push(rest.slice(consumed));
  if (parts.length > MAX_DEPTH) throw new FormDecodeError(`Parameter nesting too deep: ${key}`);
  return parts;
}

type Tree = { [key: string]: Tree | string };

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new FormDecodeError(`Invalid percent-encoding in ${JSON.stringify(s)}`);
  }
}

/** Parse pairs (already split) into a nested object. */
export function decodePairs(pairs: Iterable<[string, string]>): ParamObject {
  const root: Tree = Object.create(null) as Tree;
  const appendIndex = new WeakMap<Tree, number>();
  for (const [rawKey, value] of pairs) {
    if (rawKey === "") continue;
    const path = splitKey(rawKey);
    let node: Tree = root;
    for (let i = 0; i < path.length; i++) {
      let seg = path[i] ?? "";
      // `a[]` appends: give it the next free numeric index.
      if (seg === "" && i > 0) {
        const next = appendIndex.get(node) ?? countNumeric(node);
        appendIndex.set(node, next + 1);
        seg = String(next);
      }
      if (seg === "__proto__" || seg === "constructor" || seg === "prototype") {
        throw new FormDecodeError(`Invalid parameter name: ${rawKey}`);
      }
      const last = i === path.length - 1;
      if (last) {
        const existing = node[seg];
        if (existing !== undefined && typeof existing !== "string") {
          throw new FormDecodeError(`Invalid array or hash parameter: ${rawKey}`);
        }
        node[seg] = value;
      } else {
        let child = node[seg];
        if (child === undefined) {
          child = Object.create(null) as Tree;
          node[seg] = child;
        } else if (typeof child === "string") {
          // `metadata=` followed by `metadata[k]=v`: Stripe treats the empty
          // string as "unset" so a later hash wins.
          if (child !== "") throw new FormDecodeError(`Invalid hash parameter: ${path.slice(0, i + 1).join(".")}`);
          child = Object.create(null) as Tree;
          node[seg] = child;
        }
        node = child;
      }
    }
  }
  return finalize(root) as ParamObject;
}

function countNumeric(node: Tree): number {
  let n = 0;
  for (const k of Object.keys(node)) if (/^\d+$/.test(k)) n = Math.max(n, Number(k) + 1);
  return n;
}

/** Objects whose keys are all non-negative integers become arrays (in index order). */
function finalize(node: Tree | string): ParamValue {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => finalize(node[String(k)] as Tree | string));
  }
  const out: ParamObject = {};
  for (const k of keys) out[k] = finalize(node[k] as Tree | string);
  return out;
}

/** Decode a form body or query string (without the leading `?`). */
export function decodeForm(body: string): ParamObject {
  const pairs: [string, string][] = [];
  for (const part of body.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? "" : part.slice(eq + 1);
    pairs.push([decodeComponent(k), decodeComponent(v)]);
  }
  return decodePairs(pairs);
}

/** Normalise a JSON body (numbers/booleans become strings) to the same shape. */
export function fromJson(value: unknown): ParamValue {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === "object") {
    const out: ParamObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromJson(v);
    return out;
  }
  return String(value);
}

/** Order-independent serialisation, used to compare idempotent requests. */
export function canonicalJson(value: ParamValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as ParamValue)}`).join(",")}}`;
}
