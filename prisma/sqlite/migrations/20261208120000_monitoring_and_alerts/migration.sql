-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "workerId" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "seenAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DealerSignal" (
    "dealerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "failingSince" DATETIME,
    "lastFailureAt" DATETIME,
    "lastOkAt" DATETIME,
    "detail" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("dealerId", "kind")
);

-- CreateTable
CREATE TABLE "AlertIncident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "openKey" TEXT,
    "state" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "openedAt" DATETIME,
    "resolvedAt" DATETIME,
    "lastSeenAt" DATETIME NOT NULL,
    "summary" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "notifiedCount" INTEGER NOT NULL DEFAULT 0,
    "notifiedAt" DATETIME,
    "remindAt" DATETIME,
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "incidentId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    CONSTRAINT "AlertDelivery_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "AlertIncident" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_seenAt_idx" ON "WorkerHeartbeat"("seenAt");

-- CreateIndex
CREATE INDEX "DealerSignal_failingSince_idx" ON "DealerSignal"("failingSince");

-- CreateIndex
CREATE UNIQUE INDEX "AlertIncident_openKey_key" ON "AlertIncident"("openKey");

-- CreateIndex
CREATE INDEX "AlertIncident_state_idx" ON "AlertIncident"("state");

-- CreateIndex
CREATE INDEX "AlertIncident_dealerId_openedAt_idx" ON "AlertIncident"("dealerId", "openedAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_state_nextAttemptAt_idx" ON "AlertDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_dealerId_channel_sentAt_idx" ON "AlertDelivery"("dealerId", "channel", "sentAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_incidentId_idx" ON "AlertDelivery"("incidentId");

-- CreateIndex
CREATE INDEX "StripeEvent_dealerId_receivedAt_idx" ON "StripeEvent"("dealerId", "receivedAt");
