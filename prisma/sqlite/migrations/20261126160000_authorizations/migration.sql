-- AlterTable
ALTER TABLE "Payment" ADD COLUMN "authorizedAt" DATETIME;

-- CreateIndex
CREATE INDEX "Payment_status_lastSyncedAt_idx" ON "Payment"("status", "lastSyncedAt");

