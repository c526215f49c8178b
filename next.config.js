// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages stay out of every bundle; Next already lists prisma, pg and better-sqlite3.
  // pino (lib/logging) is loaded from node_modules at run time, as it expects.
  serverExternalPackages: ["stripe", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
  // proxy.ts serves a hosted dealer's /d/<slug>/<path> by rewriting it to <path> with the dealer named in a request
  // header. Next.js keeps a rewrite inside the app only when its origin is the server's own; with the URL
  // normalized for the proxy, a server started on a loopback address (`next start -H 127.0.0.1`, e.g. behind
  // nginx) sees "localhost" there instead of "127.0.0.1", takes the rewrite for another origin and sends the request
  // to itself over HTTP: the proxy then runs again on <path>, drops the header, and the request is the
  // environment's dealer's (a hosted dealer's payments were created in the other dealer's Stripe account; behind TLS,
  // a 500). Unnormalized, the proxy sees the server's own origin and the rewrite stays inside. Next.js issue #94745;
  // shown by the resilience scenario "two dealers".
  skipProxyUrlNormalize: true,
  // A hosted dealer's Payment system URL is /d/<slug>/?id={id} (what the dealer is given to paste into Navixy).
  // Next.js would answer it with a 308 to /d/<slug>?id= before the proxy runs; with its redirect off, proxy.ts
  // serves /d/<slug>/ at once and sends every other path with a trailing slash to the one without, as Next.js did
  // (lib/server/request-dealer.ts, trailingSlashRedirect).
  skipTrailingSlashRedirect: true,
  experimental: {
    // Next.js keeps up to this much of a request body in memory for the proxy (10 MB by default) and passes the
    // route only that much. No route behind the proxy takes more than 64 KB (lib/http/body.ts refuses more with
    // 413, counted while reading); the Stripe webhook (1 MB) does not pass through the proxy.
    proxyClientMaxBodySize: "1mb",
  },
};

module.exports = nextConfig;
