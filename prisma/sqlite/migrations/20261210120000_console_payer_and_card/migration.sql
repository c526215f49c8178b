-- AlterTable
ALTER TABLE "AdminSession" ADD COLUMN "flash" TEXT;

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN "cardBrand" TEXT;
ALTER TABLE "Payment" ADD COLUMN "cardLast4" TEXT;
ALTER TABLE "Payment" ADD COLUMN "cardWallet" TEXT;
ALTER TABLE "Payment" ADD COLUMN "payerLogin" TEXT;
ALTER TABLE "Payment" ADD COLUMN "payerName" TEXT;
ALTER TABLE "Payment" ADD COLUMN "paymentMethodType" TEXT;

-- CreateTable
CREATE TABLE "PayerTerm" (
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "term" TEXT NOT NULL,
    "navixyUserId" INTEGER NOT NULL,

    PRIMARY KEY ("dealerId", "term", "navixyUserId")
);

-- CreateIndex
CREATE INDEX "Payment_cardLast4_createdAt_idx" ON "Payment"("cardLast4", "createdAt");
