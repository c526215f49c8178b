-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "workerId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("workerId")
);

-- CreateTable
CREATE TABLE "DealerSignal" (
    "dealerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "failingSince" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3),
    "lastOkAt" TIMESTAMP(3),
    "detail" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DealerSignal_pkey" PRIMARY KEY ("dealerId","kind")
);

-- CreateTable
CREATE TABLE "AlertIncident" (
    "id" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "openKey" TEXT,
    "state" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "openedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "summary" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "notifiedCount" INTEGER NOT NULL DEFAULT 0,
    "notifiedAt" TIMESTAMP(3),
    "remindAt" TIMESTAMP(3),
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AlertIncident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL,
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "incidentId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "AlertDelivery_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "AlertDelivery" ADD CONSTRAINT "AlertDelivery_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "AlertIncident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
