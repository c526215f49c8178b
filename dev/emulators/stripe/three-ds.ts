/**
 * The emulator's stand-in for the bank's 3-D Secure challenge page
 * (`next_action.redirect_to_url.url` / `use_stripe_sdk.stripe_js`). The payer
 * picks "Complete" or "Fail"; then, like Stripe, the browser is sent to the
 * `return_url` with `payment_intent`, `payment_intent_client_secret` and
 * `redirect_status` appended. Without a return_url (Stripe.js modal flow) the
 * page posts a message to its opener/parent and says it can be closed.
 */
import type Stripe from "stripe";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

export function challengePage(pi: Stripe.PaymentIntent, clientSecret: string, formAction: string): string {
  const amount = `${(pi.amount / 100).toFixed(2)} ${pi.currency.toUpperCase()}`;
  const waiting = pi.status === "requires_action";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>3D Secure test payment</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
h1{font-size:1.25rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #ccc;cursor:pointer}
#complete{background:#635bff;color:#fff;border-color:#635bff}.muted{color:#6b7280;font-size:.875rem}</style></head>
<body>
<h1>3D Secure 2 Test Page</h1>
<p>Stripe emulator: authenticate the test payment of <strong>${esc(amount)}</strong> (${esc(pi.id)}).</p>
${
  waiting
    ? `<form method="post" action="${esc(formAction)}">
<input type="hidden" name="client_secret" value="${esc(clientSecret)}">
<button id="complete" name="outcome" value="complete" type="submit">Complete authentication</button>
<button id="fail" name="outcome" value="fail" type="submit">Fail authentication</button>
</form>`
    : `<p>This payment is not awaiting authentication (status: ${esc(pi.status)}).</p>`
}
<p class="muted">No real bank is contacted.</p>
</body></html>`;
}

export function donePage(pi: Stripe.PaymentIntent, outcome: string): string {
  const message = JSON.stringify({ type: "stripe-emulator-3ds", paymentIntent: pi.id, outcome, status: pi.status });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authentication ${esc(outcome)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto">
<p id="result">Authentication ${outcome === "complete" ? "completed" : "failed"}. Payment status: ${esc(pi.status)}. You can close this window.</p>
<script>
(function(){var m=${message.replace(/</g, "\\u003c")};
try{if(window.opener)window.opener.postMessage(m,"*");}catch(e){}
try{if(window.parent&&window.parent!==window)window.parent.postMessage(m,"*");}catch(e){}})();
</script></body></html>`;
}

/** Stripe appends these to the return_url after a redirect-based next action. */
export function returnUrlWithResult(returnUrl: string, pi: Stripe.PaymentIntent): string {
  const status = pi.status === "succeeded" || pi.status === "requires_capture" || pi.status === "processing" ? "succeeded" : "failed";
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    return returnUrl;
  }
  url.searchParams.set("payment_intent", pi.id);
  url.searchParams.set("payment_intent_client_secret", pi.client_secret ?? "");
  url.searchParams.set("redirect_status", status);
  return url.toString();
}
