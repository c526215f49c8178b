-- Multi-dealer hosting: every ledger row belongs to a dealer. Rows written before it belong to the environment's
-- dealer, "default". ADD COLUMN with a constant default is instant in SQLite, however long the ledger.
-- CreateTable
CREATE TABLE "Dealer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "secrets" TEXT NOT NULL,
    "consolePasswordHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "suspendedAt" DATETIME
);

ALTER TABLE "AdminSession" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "AuditLog" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "AutoTopUpCharge" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "AutoTopUpEvent" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "AutoTopUpRule" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "BalanceMovement" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "NavixyCall" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Payment" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "PaymentStatusChange" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "StripeEvent" ADD COLUMN "dealerId" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "AdminSession" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'dealer';

DROP INDEX "AutoTopUpCharge_inFlightUserId_key";
DROP INDEX "AutoTopUpRule_navixyUserId_key";
CREATE UNIQUE INDEX "Dealer_slug_key" ON "Dealer"("slug");
CREATE INDEX "AuditLog_dealerId_at_idx" ON "AuditLog"("dealerId", "at");
CREATE UNIQUE INDEX "AutoTopUpCharge_dealerId_inFlightUserId_key" ON "AutoTopUpCharge"("dealerId", "inFlightUserId");
CREATE INDEX "AutoTopUpRule_dealerId_state_nextCheckAt_idx" ON "AutoTopUpRule"("dealerId", "state", "nextCheckAt");
CREATE UNIQUE INDEX "AutoTopUpRule_dealerId_navixyUserId_key" ON "AutoTopUpRule"("dealerId", "navixyUserId");
CREATE INDEX "BalanceMovement_dealerId_state_nextAttemptAt_idx" ON "BalanceMovement"("dealerId", "state", "nextAttemptAt");
CREATE INDEX "Payment_dealerId_createdAt_idx" ON "Payment"("dealerId", "createdAt");
CREATE INDEX "StripeEvent_dealerId_status_nextAttemptAt_idx" ON "StripeEvent"("dealerId", "status", "nextAttemptAt");

-- StripeCustomer's key becomes (dealer, Navixy user): SQLite rebuilds the table (one row per saved card, small).
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_StripeCustomer" (
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "navixyUserId" INTEGER NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("dealerId", "navixyUserId")
);
INSERT INTO "new_StripeCustomer" ("createdAt", "navixyUserId", "stripeCustomerId") SELECT "createdAt", "navixyUserId", "stripeCustomerId" FROM "StripeCustomer";
DROP TABLE "StripeCustomer";
ALTER TABLE "new_StripeCustomer" RENAME TO "StripeCustomer";
CREATE UNIQUE INDEX "StripeCustomer_stripeCustomerId_key" ON "StripeCustomer"("stripeCustomerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
