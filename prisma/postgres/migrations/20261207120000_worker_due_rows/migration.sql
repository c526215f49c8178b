-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "captureAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "DealerBackoff" (
    "dealerId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "failures" INTEGER NOT NULL,
    "retryAt" TIMESTAMP(3),
    "workerId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DealerBackoff_pkey" PRIMARY KEY ("dealerId")
);

-- CreateTable
CREATE TABLE "DealerTask" (
    "dealerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "lastError" TEXT,

    CONSTRAINT "DealerTask_pkey" PRIMARY KEY ("dealerId","kind")
);

-- CreateIndex
CREATE INDEX "DealerTask_kind_dueAt_idx" ON "DealerTask"("kind", "dueAt");

-- CreateIndex
CREATE INDEX "Payment_captureAt_idx" ON "Payment"("captureAt");

