-- CreateTable
CREATE TABLE "AutoTopUpRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "navixyUserId" INTEGER NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "stripePaymentMethodId" TEXT,
    "currency" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "monthlyLimit" INTEGER NOT NULL,
    "mandateText" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "stateReason" TEXT,
    "softDeclines" INTEGER NOT NULL DEFAULT 0,
    "nextCheckAt" DATETIME NOT NULL,
    "enrolmentPaymentId" TEXT,
    "manageTokenVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AutoTopUpEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ruleId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "detail" TEXT,
    "paymentId" TEXT,
    CONSTRAINT "AutoTopUpEvent_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AutoTopUpRule" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AutoTopUpCharge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ruleId" TEXT NOT NULL,
    "paymentId" TEXT NOT NULL,
    "windowKey" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "inFlightUserId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" DATETIME,
    CONSTRAINT "AutoTopUpCharge_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AutoTopUpRule" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StripeCustomer" (
    "navixyUserId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "stripeCustomerId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpRule_navixyUserId_key" ON "AutoTopUpRule"("navixyUserId");

-- CreateIndex
CREATE INDEX "AutoTopUpRule_state_nextCheckAt_idx" ON "AutoTopUpRule"("state", "nextCheckAt");

-- CreateIndex
CREATE INDEX "AutoTopUpEvent_ruleId_at_idx" ON "AutoTopUpEvent"("ruleId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpCharge_paymentId_key" ON "AutoTopUpCharge"("paymentId");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpCharge_windowKey_key" ON "AutoTopUpCharge"("windowKey");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpCharge_inFlightUserId_key" ON "AutoTopUpCharge"("inFlightUserId");

-- CreateIndex
CREATE INDEX "AutoTopUpCharge_ruleId_createdAt_idx" ON "AutoTopUpCharge"("ruleId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "StripeCustomer_stripeCustomerId_key" ON "StripeCustomer"("stripeCustomerId");

