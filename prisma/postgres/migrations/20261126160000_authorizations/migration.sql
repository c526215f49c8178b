-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "authorizedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Payment_status_lastSyncedAt_idx" ON "Payment"("status", "lastSyncedAt");

