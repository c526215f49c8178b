-- CreateTable
CREATE TABLE "ReconciliationRun" (
    "id" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "label" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "status" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "stripeCursor" TEXT,
    "navixyCursor" INTEGER,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "differenceCount" INTEGER NOT NULL DEFAULT 0,
    "result" TEXT,
    "lastError" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ReconciliationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconciliationEntry" (
    "runId" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "ReconciliationEntry_pkey" PRIMARY KEY ("runId","source","key")
);

-- CreateIndex
CREATE INDEX "ReconciliationRun_dealerId_periodStart_idx" ON "ReconciliationRun"("dealerId", "periodStart");

-- CreateIndex
CREATE INDEX "ReconciliationRun_dealerId_status_idx" ON "ReconciliationRun"("dealerId", "status");

-- CreateIndex
CREATE INDEX "BalanceMovement_dealerId_appliedAt_idx" ON "BalanceMovement"("dealerId", "appliedAt");

-- AddForeignKey
ALTER TABLE "ReconciliationEntry" ADD CONSTRAINT "ReconciliationEntry_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReconciliationRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
