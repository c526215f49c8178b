// Dealer secrets at rest. One deployment serves many dealers, so each dealer's Stripe keys and Navixy credentials
// live in the database, and a database dump must not hand them out: each is sealed with AES-256-GCM under a key
// from SECRETS_KEY. The field it belongs to ("dealer:dlr_123:stripeSecretKey") is bound as additional
// authenticated data, so a value copied to another dealer or another field does not open. SECRETS_KEY holds a
// key ring, newest first: new values are sealed with the first key, old values still open with any key in the
// ring, and needsReseal/resealSecret move them to the newest key before an old one is dropped.
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from "node:crypto";

/** The keys from SECRETS_KEY. Only the ids are visible: the key bytes never leave this module. */
export interface SecretKeyring {
  /** The key new values are sealed with (the first in SECRETS_KEY). */
  readonly current: { readonly id: string };
  /** Every key id, newest first. */
  readonly ids: readonly string[];
  /** What JSON.stringify and logs see: ids only. */
  toJSON(): { current: string; ids: string[] };
}

/** SECRETS_KEY is missing or malformed. The message names the key by position, never its material. */
export class SecretsKeyError extends Error {
  override name = "SecretsKeyError";
}

/** A sealed value did not open; `reason` says why, the message says it for a person, without secret material. */
export class SecretOpenError extends Error {
  override name = "SecretOpenError";
  constructor(readonly reason: "malformed" | "unknown-key" | "authentication", message: string) {
    super(message);
  }
}

const ID = /^[a-z0-9_-]{1,16}$/i;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HOW = "openssl rand -base64 32";
// Key objects sit here, keyed by the ring, rather than on it: nothing that walks or prints the ring can reach them.
const keysOf = new WeakMap<SecretKeyring, Map<string, KeyObject>>();

/** Strict base64 or base64url (padding optional): Buffer.from alone skips bad characters and would accept typos. */
function decodeBase64(text: string): Buffer | null {
  const m = /^([A-Za-z0-9+/]+|[A-Za-z0-9_-]+)(={0,2})$/.exec(text);
  if (!m || (m[2] && text.length % 4 !== 0)) return null;
  const standard = m[1]!.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Buffer.from(standard, "base64");
  // Round trip: a stray length or non-zero spare bits means the value is not what the operator meant to paste.
  return bytes.toString("base64").replace(/=+$/, "") === standard ? bytes : null;
}

/** Parses SECRETS_KEY: `<id>:<base64 of 32 bytes>` or just the base64, comma separated, newest first. */
export function parseSecretsKey(value: string | undefined): SecretKeyring {
  if (!value?.trim()) throw new SecretsKeyError(`SECRETS_KEY is not set: give one or more keys, newest first, as <id>:<base64 of 32 bytes> (${HOW})`);
  const keys = new Map<string, KeyObject>();
  const seen = new Map<string, number>();
  value.split(",").forEach((raw, i) => {
    const n = i + 1;
    const entry = raw.trim();
    if (!entry) throw new SecretsKeyError(`SECRETS_KEY: key ${n} is empty (check for a stray comma)`);
    const colon = entry.indexOf(":");
    const material = colon < 0 ? entry : entry.slice(colon + 1).trim();
    if (colon >= 0 && !ID.test(entry.slice(0, colon).trim())) {
      throw new SecretsKeyError(`SECRETS_KEY: key ${n} has an invalid id (1 to 16 letters, digits, _ or -)`);
    }
    const bytes = decodeBase64(material);
    if (!bytes) throw new SecretsKeyError(`SECRETS_KEY: key ${n} is not valid base64 or base64url (${HOW})`);
    if (bytes.length !== 32) throw new SecretsKeyError(`SECRETS_KEY: key ${n} is ${bytes.length} bytes, it must be 32 (${HOW})`);
    // Without an explicit id, a fingerprint: stable across restarts and says nothing usable about the key.
    const id = colon >= 0 ? entry.slice(0, colon).trim() : createHash("sha256").update(bytes).digest("hex").slice(0, 8);
    // Ids differing only in case would be told apart by the code but not by the person reading SECRETS_KEY.
    const earlier = seen.get(id.toLowerCase());
    if (earlier) throw new SecretsKeyError(`SECRETS_KEY: keys ${earlier} and ${n} have the same id '${id}'`);
    seen.set(id.toLowerCase(), n);
    keys.set(id, createSecretKey(bytes));
    bytes.fill(0);
  });
  const ids = Object.freeze([...keys.keys()]);
  const view = () => ({ current: ids[0]!, ids: [...ids] });
  const ring: SecretKeyring = Object.freeze({
    current: Object.freeze({ id: ids[0]! }),
    ids,
    toJSON: view,
    [Symbol.for("nodejs.util.inspect.custom")]: () => `SecretKeyring { current: '${ids[0]}', ids: [ ${ids.map((x) => `'${x}'`).join(", ")} ] }`,
  });
  keysOf.set(ring, keys);
  return ring;
}

function keysFor(keyring: SecretKeyring): Map<string, KeyObject> {
  const keys = keysOf.get(keyring);
  if (!keys) throw new TypeError("secret-box: the keyring must come from parseSecretsKey");
  return keys;
}

function aad(context: string): Buffer {
  // An empty context would bind nothing and let a value move between fields unnoticed.
  if (!context) throw new TypeError("secret-box: a context (e.g. dealer:<id>:<field>) is required");
  return Buffer.from(context, "utf8");
}

const b64url = (b: Buffer) => b.toString("base64url");

/** Seals `plaintext` for `context` with the current key: `v1.<keyId>.<iv>.<ciphertext>.<tag>`, all base64url. */
export function sealSecret(keyring: SecretKeyring, plaintext: string, context: string): string {
  const id = keyring.current.id;
  const key = keysFor(keyring).get(id)!;
  // A fresh random IV per value: GCM is broken by reusing an IV under one key.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", id, b64url(iv), b64url(ciphertext), b64url(cipher.getAuthTag())].join(".");
}

interface Sealed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseSealed(sealed: string, context: string): Sealed {
  const malformed = () => new SecretOpenError("malformed", `${context}: the sealed value is malformed (expected v1.<key id>.<iv>.<ciphertext>.<tag>)`);
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== "v1" || !ID.test(parts[1]!)) throw malformed();
  // Only canonical base64url: otherwise two spellings of one value would exist, and an edit might go unnoticed.
  const [iv, ciphertext, tag] = parts.slice(2).map((p) => {
    const b = /^[A-Za-z0-9_-]*$/.test(p) ? Buffer.from(p, "base64url") : null;
    if (!b || b64url(b) !== p) throw malformed();
    return b;
  }) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw malformed();
  return { keyId: parts[1]!, iv, ciphertext, tag };
}

/** Opens a value sealed for `context` with any key in the ring, so values sealed before a rotation still open. */
export function openSecret(keyring: SecretKeyring, sealed: string, context: string): string {
  const { keyId, iv, ciphertext, tag } = parseSealed(sealed, context);
  const key = keysFor(keyring).get(keyId);
  if (!key) throw new SecretOpenError("unknown-key", `${context}: sealed with key '${keyId}', which SECRETS_KEY no longer has`);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(context));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    // GCM checks the tag in final(): any change to the IV, ciphertext, tag, context or key lands here.
    throw new SecretOpenError(
      "authentication",
      `${context}: the sealed value failed authentication (altered, sealed for another dealer or field, or under a different key with the same id)`,
    );
  }
}

/** True when `sealed` is under a key other than the current one: a rotation should reseal it. Throws if malformed. */
export function needsReseal(keyring: SecretKeyring, sealed: string): boolean {
  return parseSealed(sealed, "needsReseal").keyId !== keyring.current.id;
}

/** Opens `sealed` with whichever key it names and seals it again with the current key (a fresh IV). */
export function resealSecret(keyring: SecretKeyring, sealed: string, context: string): string {
  return sealSecret(keyring, openSecret(keyring, sealed, context), context);
}

// Prefixes that say what a value is (Stripe's) and nothing about the secret itself.
const KNOWN_PREFIX = /^(?:(?:sk|rk|pk)_(?:test|live)_|whsec_)/;

/** For display after entry: `sk_test_…4242`. Shows at most the last 4 characters, and only of a body of 12 or more. */
export function maskSecret(plaintext: string): string {
  const prefix = KNOWN_PREFIX.exec(plaintext)?.[0] ?? "";
  // Counted after the prefix: "sk_test_abcd" would otherwise show its whole body.
  const body = Array.from(plaintext.slice(prefix.length));
  if (body.length < 12) return "••••";
  return `${prefix}…${body.slice(-4).join("")}`;
}
