-- A Stripe event is keyed by its dealer and Stripe's event id: Stripe sends each event of an account to every
-- endpoint of that account, and each dealer on it must store it for its own lane. Existing rows keep their dealer.
-- SQLite cannot change a primary key in place: the table is rebuilt (a copy of the events table, once).
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_StripeEvent" (
    "id" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "type" TEXT NOT NULL,
    "objectId" TEXT,
    "paymentId" TEXT,
    "livemode" BOOLEAN NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "stripeCreatedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,

    PRIMARY KEY ("dealerId", "id"),
    CONSTRAINT "StripeEvent_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_StripeEvent" ("attempts", "dealerId", "id", "lastError", "leaseOwner", "leaseUntil", "livemode", "nextAttemptAt", "objectId", "payload", "paymentId", "processedAt", "receivedAt", "status", "stripeCreatedAt", "type", "version") SELECT "attempts", "dealerId", "id", "lastError", "leaseOwner", "leaseUntil", "livemode", "nextAttemptAt", "objectId", "payload", "paymentId", "processedAt", "receivedAt", "status", "stripeCreatedAt", "type", "version" FROM "StripeEvent";
DROP TABLE "StripeEvent";
ALTER TABLE "new_StripeEvent" RENAME TO "StripeEvent";
CREATE INDEX "StripeEvent_status_nextAttemptAt_idx" ON "StripeEvent"("status", "nextAttemptAt");
CREATE INDEX "StripeEvent_dealerId_status_nextAttemptAt_idx" ON "StripeEvent"("dealerId", "status", "nextAttemptAt");
CREATE INDEX "StripeEvent_paymentId_idx" ON "StripeEvent"("paymentId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

