// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages stay out of every bundle; Next already lists prisma, pg and better-sqlite3.
  serverExternalPackages: ["stripe"],
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
