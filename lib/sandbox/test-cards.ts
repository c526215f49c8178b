// The test cards the sandbox shows (the /sandbox page, `npm run demo`). They behave as in Stripe's test mode;
// the Stripe emulator (dev/emulators/stripe/cards.ts) knows many more.

export interface SandboxTestCard {
  number: string;
  outcome: string;
}

export const SANDBOX_TEST_CARDS: readonly SandboxTestCard[] = [
  { number: "4242 4242 4242 4242", outcome: "succeeds" },
  { number: "4000 0000 0000 0002", outcome: "declined (generic_decline)" },
  { number: "4000 0000 0000 9995", outcome: "declined (insufficient_funds)" },
  { number: "4000 0027 6000 3184", outcome: "asks for 3-D Secure: choose Complete or Fail" },
];

export const TEST_CARD_DETAILS = "any future expiry date (MM / YY), any 3-digit CVC";
