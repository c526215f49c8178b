-- AlterTable
ALTER TABLE "AdminSession" ADD COLUMN     "flash" TEXT;

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "cardBrand" TEXT,
ADD COLUMN     "cardLast4" TEXT,
ADD COLUMN     "cardWallet" TEXT,
ADD COLUMN     "payerLogin" TEXT,
ADD COLUMN     "payerName" TEXT,
ADD COLUMN     "paymentMethodType" TEXT;

-- CreateTable
-- The words are compared by code point ("C"), whatever the database's collation: a search looks a word up as the
-- range [word, word + U+10FFFF), which is exactly "starts with" only in code point order.
CREATE TABLE "PayerTerm" (
    "dealerId" TEXT NOT NULL DEFAULT 'default',
    "term" TEXT COLLATE "C" NOT NULL,
    "navixyUserId" INTEGER NOT NULL,

    CONSTRAINT "PayerTerm_pkey" PRIMARY KEY ("dealerId","term","navixyUserId")
);

-- CreateIndex
CREATE INDEX "Payment_cardLast4_createdAt_idx" ON "Payment"("cardLast4", "createdAt");
