-- CreateIndex
CREATE INDEX "Payment_failureCode_status_idx" ON "Payment"("failureCode", "status");
