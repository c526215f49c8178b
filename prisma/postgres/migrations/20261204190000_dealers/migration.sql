-- Multi-dealer hosting: every ledger row belongs to a dealer. Rows written before it belong to the environment's
-- dealer, "default".
-- DropIndex
DROP INDEX "AutoTopUpCharge_inFlightUserId_key";

-- DropIndex
DROP INDEX "AutoTopUpRule_navixyUserId_key";

-- AlterTable
ALTER TABLE "AdminSession" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default',
ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'dealer';

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "AutoTopUpCharge" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "AutoTopUpEvent" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "AutoTopUpRule" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "BalanceMovement" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "NavixyCall" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "PaymentStatusChange" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "StripeCustomer" DROP CONSTRAINT "StripeCustomer_pkey",
ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default',
ADD CONSTRAINT "StripeCustomer_pkey" PRIMARY KEY ("dealerId", "navixyUserId");

-- AlterTable
ALTER TABLE "StripeEvent" ADD COLUMN     "dealerId" TEXT NOT NULL DEFAULT 'default';

-- CreateTable
CREATE TABLE "Dealer" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "secrets" TEXT NOT NULL,
    "consolePasswordHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "suspendedAt" TIMESTAMP(3),

    CONSTRAINT "Dealer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dealer_slug_key" ON "Dealer"("slug");

-- CreateIndex
CREATE INDEX "AuditLog_dealerId_at_idx" ON "AuditLog"("dealerId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpCharge_dealerId_inFlightUserId_key" ON "AutoTopUpCharge"("dealerId", "inFlightUserId");

-- CreateIndex
CREATE INDEX "AutoTopUpRule_dealerId_state_nextCheckAt_idx" ON "AutoTopUpRule"("dealerId", "state", "nextCheckAt");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpRule_dealerId_navixyUserId_key" ON "AutoTopUpRule"("dealerId", "navixyUserId");

-- CreateIndex
CREATE INDEX "BalanceMovement_dealerId_state_nextAttemptAt_idx" ON "BalanceMovement"("dealerId", "state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Payment_dealerId_createdAt_idx" ON "Payment"("dealerId", "createdAt");

-- CreateIndex
CREATE INDEX "StripeEvent_dealerId_status_nextAttemptAt_idx" ON "StripeEvent"("dealerId", "status", "nextAttemptAt");
