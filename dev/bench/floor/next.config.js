// @ts-check
// The floor: the least a Next.js app must do for the gateway's three hot paths, built and served with the
// same `next`, `react` and `stripe` as the gateway (resolved from the repository's node_modules).

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["stripe"], // as the gateway
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
