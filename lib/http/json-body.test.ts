import { describe, expect, test } from "vitest";
import { z } from "zod";
import { readJsonBody } from "./json-body";
import { HttpError } from "./responses";
import { MAX_JSON_BODY_BYTES } from "./body";
import { chunkedPost, endlessBody } from "../../dev/testing/bodies";

const schema = z.object({ userId: z.number().int(), note: z.string().optional() });
const invalid = () => new HttpError(400, "invalid_request", "bad");
const JSON_TYPE = { "content-type": "application/json" };

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe("readJsonBody", () => {
  test("a body without end and without Content-Length: 413 payload_too_large once past the cap, the rest never read", async () => {
    const body = endlessBody('{"userId": 1, "note": "');
    const error = await refusal(readJsonBody(chunkedPost("http://x/api", body, JSON_TYPE), schema, invalid));
    expect([error.status, error.code]).toEqual([413, "payload_too_large"]);
    expect(body.pulled()).toBeLessThan(MAX_JSON_BODY_BYTES + 64 * 1024);
    expect(body.canceled()).toBe(true);
  });

  test("a declared Content-Length over the cap: 413 before reading", async () => {
    const body = endlessBody();
    const request = chunkedPost("http://x/api", body, { ...JSON_TYPE, "content-length": String(MAX_JSON_BODY_BYTES + 1) });
    const error = await refusal(readJsonBody(request, schema, invalid));
    expect([error.status, error.code]).toEqual([413, "payload_too_large"]);
    // At most the one chunk a stream queues before anyone reads it.
    expect(body.pulled()).toBeLessThanOrEqual(16 * 1024);
  });

  test("a body exactly at the cap is read; one byte more is refused", async () => {
    const head = '{"userId": 7, "note": "';
    const at = head + "x".repeat(MAX_JSON_BODY_BYTES - head.length - 2) + '"}';
    expect(Buffer.byteLength(at)).toBe(MAX_JSON_BODY_BYTES);
    const post = (text: string) => new Request("http://x/api", { method: "POST", headers: JSON_TYPE, body: text });
    expect((await readJsonBody(post(at), schema, invalid)).userId).toBe(7);
    expect((await refusal(readJsonBody(post(`${at} `), schema, invalid))).status).toBe(413);
    // Multi-byte characters count as bytes.
    expect((await readJsonBody(post('{"userId": 8, "note": "€ü"}'), schema, invalid)).note).toBe("€ü");
  });

  test("what it refused before is still refused the same way", async () => {
    const post = (text: string, type = "application/json") => new Request("http://x/api", { method: "POST", headers: { "content-type": type }, body: text });
    expect((await refusal(readJsonBody(post("{}", "text/plain"), schema, invalid))).status).toBe(415);
    expect((await refusal(readJsonBody(post("{"), schema, invalid))).code).toBe("invalid_json");
    expect((await refusal(readJsonBody(post('{"userId": "x"}'), schema, invalid))).code).toBe("invalid_request");
  });
});
