// Manage links. A rule's id is not proof of anything, so seeing, changing or turning off a rule needs a link
// we signed: /topup/manage/<ruleId>.<version>.<expiry>.<mac>
//
//   mac    = HMAC-SHA256(key, "navixy-gateway:auto-top-up:manage:v1:<ruleId>:<version>:<expiry>"), base64url
//   key    = HKDF-SHA256(AUTO_TOP_UP_LINK_SECRET, or STRIPE_WEBHOOK_SECRET when that is unset,
//                        salt "navixy-gateway", info "auto-top-up manage link v1", 32 bytes)
//   expiry = unix seconds (AUTO_TOP_UP_LINK_TTL after issue, 30 days by default)
//   version = the rule's manageTokenVersion when the link was made: bumping it revokes every earlier link.
//
// A link whose MAC does not verify is forged (403); one past its expiry, or of an older version, or of a rule
// that no longer exists, is gone (410). Rotating the key material invalidates every link (they read as forged).
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { isRuleId } from "../ids";

export interface ManageTokenClaims {
  ruleId: string;
  version: number;
  /** Unix seconds. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: ManageTokenClaims }
  | { ok: false; reason: "malformed" | "forged" | "expired" };

const KEY_SALT = "navixy-gateway";
const KEY_INFO = "auto-top-up manage link v1";
const keys = new Map<string, Buffer>();

function keyFor(config: Pick<Config, "stripe" | "autoTopUp">): Buffer {
  const material = config.autoTopUp.linkSecret ?? config.stripe.webhookSecret;
  let key = keys.get(material);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", material, KEY_SALT, KEY_INFO, 32));
    keys.set(material, key);
  }
  return key;
}

function mac(key: Buffer, claims: ManageTokenClaims): Buffer {
  return createHmac("sha256", key)
    .update(`navixy-gateway:auto-top-up:manage:v1:${claims.ruleId}:${claims.version}:${claims.expiresAt}`)
    .digest();
}

export function signManageToken(config: Pick<Config, "stripe" | "autoTopUp">, rule: { id: string; manageTokenVersion: number }, now = new Date()): string {
  const claims: ManageTokenClaims = {
    ruleId: rule.id,
    version: rule.manageTokenVersion,
    expiresAt: Math.floor((now.getTime() + config.autoTopUp.linkTtlMs) / 1000),
  };
  return `${claims.ruleId}.${claims.version}.${claims.expiresAt}.${mac(keyFor(config), claims).toString("base64url")}`;
}

/** Checks the signature, then the expiry. Whether the version is still current is for the caller (the database). */
export function verifyManageToken(config: Pick<Config, "stripe" | "autoTopUp">, token: string | null | undefined, now = new Date()): TokenCheck {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  const m = /^(atr_[0-9a-z]+)\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || !isRuleId(m[1]!)) return { ok: false, reason: "malformed" };
  const claims: ManageTokenClaims = { ruleId: m[1]!, version: Number(m[2]), expiresAt: Number(m[3]) };
  // Compared as text, so only the one canonical encoding of the MAC is accepted.
  const given = Buffer.from(m[4]!, "ascii");
  const expected = Buffer.from(mac(keyFor(config), claims).toString("base64url"), "ascii");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "forged" };
  if (claims.expiresAt * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

export function manageUrl(config: Pick<Config, "publicUrl" | "stripe" | "autoTopUp">, rule: { id: string; manageTokenVersion: number }, now = new Date()): string {
  return `${config.publicUrl}/topup/manage/${signManageToken(config, rule, now)}`;
}
