import { expect, test } from "vitest";
import { DealerInputError, keyringOf } from "./directory";
import { parseSecretsKey } from "./secret-box";

test("without SECRETS_KEY, storing a dealer says how to make one, in the form SECRETS_KEY takes", () => {
  expect(() => keyringOf({})).toThrow(DealerInputError);
  let message = "";
  try {
    keyringOf({});
  } catch (error) {
    message = (error as Error).message;
  }
  // The hint, followed as written, gives a key SECRETS_KEY accepts: an id, a colon, 32 bytes of base64.
  const hint = /SECRETS_KEY=(\S+:\$\(openssl rand -base64 32\))/.exec(message);
  expect(hint, message).not.toBeNull();
  // (What `openssl rand -base64 32` prints: 32 random bytes in base64.)
  const made = hint![1]!.replace("$(openssl rand -base64 32)", Buffer.alloc(32, 9).toString("base64"));
  expect(parseSecretsKey(made).ids).toHaveLength(1);
});
