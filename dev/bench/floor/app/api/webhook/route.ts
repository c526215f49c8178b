// Reads the raw body and verifies a Stripe signature, with the same SDK call as the gateway; stores nothing.
import Stripe from "stripe";

export const dynamic = "force-dynamic";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? "sk_test_floor");
const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";

export async function POST(request: Request): Promise<Response> {
  const signature = request.headers.get("stripe-signature");
  if (!signature) return Response.json({ error: "missing_signature" }, { status: 400 });
  const payload = await request.text();
  try {
    const event = await stripe.webhooks.constructEventAsync(payload, signature, secret);
    return Response.json({ received: true, id: event.id });
  } catch {
    return Response.json({ error: "invalid_signature" }, { status: 400 });
  }
}
