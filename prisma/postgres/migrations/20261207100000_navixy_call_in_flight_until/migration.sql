-- AlterTable
ALTER TABLE "NavixyCall" ADD COLUMN     "inFlightUntil" TIMESTAMP(3);
