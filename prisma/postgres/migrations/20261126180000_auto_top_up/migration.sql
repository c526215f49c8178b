-- CreateTable
CREATE TABLE "AutoTopUpRule" (
    "id" TEXT NOT NULL,
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
    "nextCheckAt" TIMESTAMP(3) NOT NULL,
    "enrolmentPaymentId" TEXT,
    "manageTokenVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AutoTopUpRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoTopUpEvent" (
    "id" SERIAL NOT NULL,
    "ruleId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "detail" TEXT,
    "paymentId" TEXT,

    CONSTRAINT "AutoTopUpEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoTopUpCharge" (
    "id" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "paymentId" TEXT NOT NULL,
    "windowKey" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "inFlightUserId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMP(3),

    CONSTRAINT "AutoTopUpCharge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeCustomer" (
    "navixyUserId" INTEGER NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StripeCustomer_pkey" PRIMARY KEY ("navixyUserId")
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

-- AddForeignKey
ALTER TABLE "AutoTopUpEvent" ADD CONSTRAINT "AutoTopUpEvent_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AutoTopUpRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AutoTopUpCharge" ADD CONSTRAINT "AutoTopUpCharge_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AutoTopUpRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

