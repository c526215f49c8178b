-- A Stripe event is keyed by its dealer and Stripe's event id: Stripe sends each event of an account to every
-- endpoint of that account, and each dealer on it must store it for its own lane. Existing rows keep their dealer.
-- AlterTable
ALTER TABLE "StripeEvent" DROP CONSTRAINT "StripeEvent_pkey",
ADD CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("dealerId", "id");
