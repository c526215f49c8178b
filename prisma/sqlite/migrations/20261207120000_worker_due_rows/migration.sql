-- AlterTable
ALTER TABLE "Payment" ADD COLUMN "captureAt" DATETIME;

-- CreateTable
CREATE TABLE "DealerBackoff" (
    "dealerId" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "failures" INTEGER NOT NULL,
    "retryAt" DATETIME,
    "workerId" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Payment_captureAt_idx" ON "Payment"("captureAt");

