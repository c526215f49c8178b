-- CreateTable
CREATE TABLE "ReconciliationRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "periodStart" DATETIME NOT NULL,
    "periodEnd" DATETIME NOT NULL,
    "label" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "status" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "stripeCursor" TEXT,
    "navixyCursor" INTEGER,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "differenceCount" INTEGER NOT NULL DEFAULT 0,
    "result" TEXT,
    "lastError" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ReconciliationEntry" (
    "runId" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "data" TEXT NOT NULL,

    PRIMARY KEY ("runId", "source", "key"),
    CONSTRAINT "ReconciliationEntry_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReconciliationRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ReconciliationRun_dealerId_periodStart_idx" ON "ReconciliationRun"("dealerId", "periodStart");

-- CreateIndex
CREATE INDEX "ReconciliationRun_dealerId_status_idx" ON "ReconciliationRun"("dealerId", "status");

-- CreateIndex
CREATE INDEX "BalanceMovement_dealerId_appliedAt_idx" ON "BalanceMovement"("dealerId", "appliedAt");
