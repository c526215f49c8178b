// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages stay out of every bundle; Next already lists prisma, pg and better-sqlite3.
  // pino (lib/logging) is loaded from node_modules at run time, as it expects.
  serverExternalPackages: ["stripe", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
