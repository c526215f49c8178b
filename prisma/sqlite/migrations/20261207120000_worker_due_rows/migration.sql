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

-- CreateTable
CREATE TABLE "DealerTask" (
    "dealerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "lastRunAt" DATETIME,
    "lastError" TEXT,

    PRIMARY KEY ("dealerId", "kind")
);

-- CreateIndex
CREATE INDEX "DealerTask_kind_dueAt_idx" ON "DealerTask"("kind", "dueAt");

-- CreateIndex
CREATE INDEX "Payment_captureAt_idx" ON "Payment"("captureAt");

