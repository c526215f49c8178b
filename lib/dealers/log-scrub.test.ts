// A hosted dealer's secrets are scrubbed from the logs by value, like the environment's dealer's: each is registered
// with the logger when it is opened (lib/dealers/directory.ts, dealerValues), a replaced one is still scrubbed for a
// while and then forgotten, and the registry does not grow with changes.
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterEach, describe, expect, test, vi } from "vitest";
import { createLogger, logSecretHolderCount, releaseLogSecrets } from "../logging/logger";
import { dealerSecretHolder, dealerValues, secretContext, type DealerRow } from "./directory";
import { parseSecretsKey, sealSecret } from "./secret-box";

const ring = parseSecretsKey(`k1:${randomBytes(32).toString("base64")}`);

function capture() {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      raw.push(...chunk.toString().split("\n").filter(Boolean));
      cb();
    },
  });
  // No configured secrets: only what the dealers registered is scrubbed by value.
  return { raw, log: createLogger({ level: "info", secrets: [], destination }) };
}

let n = 0;
function dealerRow(secrets: Record<string, string>, id = `dlr_scrub${++n}`): DealerRow {
  const sealed = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, sealSecret(ring, value, secretContext(id, name))]));
  const now = new Date();
  return { id, slug: id.replace("_", "-"), name: "Scrub", status: "active", settings: "{}", secrets: JSON.stringify(sealed), consolePasswordHash: null, updatedAt: now, createdAt: now, suspendedAt: null };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a hosted dealer's secrets in the logs", () => {
  test("once opened, its Navixy password and API hash are scrubbed from every line by value", () => {
    const password = `navixy-pass-${randomBytes(6).toString("hex")}`;
    const apiHash = randomBytes(16).toString("hex");
    dealerValues(dealerRow({ NAVIXY_PANEL_PASSWORD: password, NAVIXY_API_HASH: apiHash }), ring);

    const { raw, log } = capture();
    log.error({ err: new Error(`Navixy refused ${password}`), detail: { url: `/v2/panel/account/auth?password=${password}&hash=${apiHash}` } }, `login with ${password}`);
    log.info(`balance/refill?hash=${apiHash}`);
    expect(raw.join("\n")).not.toContain(password);
    expect(raw.join("\n")).not.toContain(apiHash);
    expect(raw.join("\n").match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  test("a replaced secret is still scrubbed for a while, then forgotten; changes do not make the registry grow", () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
    const id = `dlr_scrub_changing`;
    const first = `navixy-first-${randomBytes(6).toString("hex")}`;
    const second = `navixy-second-${randomBytes(6).toString("hex")}`;
    dealerValues(dealerRow({ NAVIXY_PANEL_PASSWORD: first }, id), ring);
    dealerValues(dealerRow({ NAVIXY_PANEL_PASSWORD: second }, id), ring); // the dealer's password changed
    const { raw, log } = capture();
    log.info(`${first} ${second}`);
    expect(raw.at(-1)).not.toContain(first); // lines of work that began with it may still come
    expect(raw.at(-1)).not.toContain(second);

    vi.advanceTimersByTime(16 * 60_000);
    log.info(`${first} ${second}`);
    expect(raw.at(-1)).toContain(first); // forgotten: it is no longer anyone's secret
    expect(raw.at(-1)).not.toContain(second); // still the dealer's

    // A dealer changed thousands of times within minutes: what is kept stays bounded (the oldest go first).
    const many = Array.from({ length: 6000 }, (_, i) => `navixy-change-${i}-${randomBytes(4).toString("hex")}`);
    for (const password of many) dealerValues(dealerRow({ NAVIXY_PANEL_PASSWORD: password }, id), ring);
    log.info(`${many[0]} ${many[5998]} ${many[5999]}`);
    expect(raw.at(-1)).toContain(many[0]!);
    expect(raw.at(-1)).not.toContain(many[5998]!);
    expect(raw.at(-1)).not.toContain(many[5999]!);
  });

  test("a holder's secrets are released: still scrubbed for a while, then forgotten, unless another holder has them", () => {
    vi.useFakeTimers({ now: new Date("2026-12-02T10:00:00Z") }); // after what the tests above retired has run out
    const id = "dlr_scrub_released";
    const password = `navixy-released-${randomBytes(6).toString("hex")}`;
    const shared = `navixy-shared-${randomBytes(6).toString("hex")}`;
    const holders = logSecretHolderCount();
    // Its services were cached (the default holder) and a periodic check opened it once more (a holder of its own).
    dealerValues(dealerRow({ NAVIXY_PANEL_PASSWORD: password, NAVIXY_API_HASH: shared }, id), ring);
    dealerValues(dealerRow({ NAVIXY_API_HASH: shared }, id), ring, { holder: dealerSecretHolder(id, "check") });
    expect(logSecretHolderCount()).toBe(holders + 2);

    releaseLogSecrets(dealerSecretHolder(id)); // its services left the cache
    const { raw, log } = capture();
    log.info(`${password} ${shared}`);
    expect(raw.at(-1)).not.toContain(password); // work that began with it may still log
    vi.advanceTimersByTime(16 * 60_000);
    log.info(`${password} ${shared}`);
    expect(raw.at(-1)).toContain(password); // nobody holds it any more
    expect(raw.at(-1)).not.toContain(shared); // the check still does

    releaseLogSecrets(dealerSecretHolder(id, "check"));
    expect(logSecretHolderCount()).toBe(holders);
    vi.advanceTimersByTime(16 * 60_000);
    log.info(shared);
    expect(raw.at(-1)).toContain(shared);
  });
});
