-- AlterTable
ALTER TABLE "NavixyCall" ADD COLUMN "inFlightUntil" DATETIME;
