/**
 * Typed reads of decoded request parameters, with Stripe's validation errors
 * (`parameter_unknown`, `parameter_missing`, `parameter_invalid_integer`, ...).
 */
import type { ParamObject, ParamValue } from "./form";
import { invalidInteger, invalidRequest, missingParam, unknownParam } from "./errors";

function describe(v: ParamValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Reject parameters the endpoint does not know (Stripe: `Received unknown parameter: x`). */
export function assertAllowed(params: ParamObject, allowed: readonly string[], prefix = ""): void {
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k)) throw unknownParam(prefix ? `${prefix}[${k}]` : k);
  }
}

export function optString(params: ParamObject, name: string, param = name): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalidRequest(`Invalid string: ${describe(v)}`, { param, code: "parameter_invalid_string" });
  return v;
}

export function reqString(params: ParamObject, name: string, param = name): string {
  const v = optString(params, name, param);
  if (v === undefined || v === "") throw missingParam(param);
  return v;
}

/** Integers arrive as strings; Stripe accepts only plain base-10 integers. */
export function optInt(
  params: ParamObject,
  name: string,
  opts: { min?: number; max?: number; param?: string } = {},
): number | undefined {
  const param = opts.param ?? name;
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v.trim())) throw invalidInteger(param, describe(v));
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw invalidInteger(param, v);
  if (opts.min !== undefined && n < opts.min) {
    throw invalidRequest(`This value must be greater than or equal to ${opts.min}.`, { param, code: "parameter_invalid_integer" });
  }
  if (opts.max !== undefined && n > opts.max) {
    throw invalidRequest(`This value must be less than or equal to ${opts.max}.`, { param, code: "parameter_invalid_integer" });
  }
  return n;
}

export function optBool(params: ParamObject, name: string, param = name): boolean | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalidRequest(`Invalid boolean: ${describe(v)}`, { param, code: "parameter_invalid_boolean" });
}

export function optEnum<T extends string>(params: ParamObject, name: string, values: readonly T[], param = name): T | undefined {
  const v = optString(params, name, param);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    const list = values.length > 1 ? `${values.slice(0, -1).join(", ")}, or ${values[values.length - 1]}` : values.join("");
    throw invalidRequest(`Invalid ${param}: must be one of ${list}`, { param });
  }
  return v as T;
}

export function optObject(params: ParamObject, name: string, param = name): ParamObject | undefined {
  const v = params[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v === "string" || Array.isArray(v)) {
    throw invalidRequest("Invalid object", { param });
  }
  return v;
}

export function optStringArray(params: ParamObject, name: string, param = name): string[] | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === "") return [];
  if (!Array.isArray(v)) throw invalidRequest(`Invalid array`, { param });
  return v.map((item, i) => {
    if (typeof item !== "string") throw invalidRequest(`Invalid string: ${describe(item)}`, { param: `${param}[${i}]` });
    return item;
  });
}

/**
 * Metadata rules (Stripe): up to 50 keys, keys up to 40 characters, values up
 * to 500 characters; `metadata[k]=` (empty) removes a key, `metadata=` clears all.
 */
export function applyMetadata(
  params: ParamObject,
  current: Record<string, string>,
  name = "metadata",
): Record<string, string> | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === "") return {};
  if (typeof v === "string" || Array.isArray(v)) throw invalidRequest("Invalid object", { param: name });
  const next: Record<string, string> = { ...current };
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== "string") throw invalidRequest(`Invalid string: ${describe(val)}`, { param: `${name}[${k}]` });
    if (k.length > 40) {
      throw invalidRequest(`Metadata keys can have up to 40 characters. Key '${k}' has ${k.length}.`, { param: `${name}[${k}]` });
    }
    if (val.length > 500) {
      throw invalidRequest(`Metadata values can have up to 500 characters, but you passed in a value that is ${val.length} characters. Invalid value: ${val.slice(0, 40)}...`, { param: `${name}[${k}]` });
    }
    if (val === "") delete next[k];
    else next[k] = val;
  }
  if (Object.keys(next).length > 50) {
    throw invalidRequest("You can have up to 50 metadata keys.", { param: name });
  }
  return next;
}

/** `expand[]=a&expand[]=b.c`; validated against what each endpoint can expand. */
export function expandParam(params: ParamObject, allowed: readonly string[]): string[] {
  const list = optStringArray(params, "expand") ?? [];
  for (const path of list) {
    if (!allowed.includes(path)) throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
  }
  return list;
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export function listParams(params: ParamObject): ListParams {
  const limit = optInt(params, "limit", { min: 1, max: 100 }) ?? 10;
  const startingAfter = optString(params, "starting_after") || undefined;
  const endingBefore = optString(params, "ending_before") || undefined;
  if (startingAfter && endingBefore) {
    throw invalidRequest("You may only specify one of these parameters: ending_before, starting_after.", { param: "ending_before" });
  }
  return { limit, startingAfter, endingBefore };
}

/** `created=123` or `created[gt|gte|lt|lte]=123` -> predicate over unix seconds. */
export function createdFilter(params: ParamObject, name = "created"): (created: number) => boolean {
  const v = params[name];
  if (v === undefined || v === "") return () => true;
  if (typeof v === "string") {
    const exact = optInt(params, name);
    return (c) => c === exact;
  }
  if (Array.isArray(v)) throw invalidRequest("Invalid object", { param: name });
  assertAllowed(v, ["gt", "gte", "lt", "lte"], name);
  const b = {
    gt: optInt(v, "gt", { param: `${name}[gt]` }),
    gte: optInt(v, "gte", { param: `${name}[gte]` }),
    lt: optInt(v, "lt", { param: `${name}[lt]` }),
    lte: optInt(v, "lte", { param: `${name}[lte]` }),
  };
  return (c) =>
    (b.gt === undefined || c > b.gt) &&
    (b.gte === undefined || c >= b.gte) &&
    (b.lt === undefined || c < b.lt) &&
    (b.lte === undefined || c <= b.lte);
}
