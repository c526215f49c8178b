// Runs once when the Next.js server starts: stamps each request with its connection's address (before anything
// else, so the first requests have it too), checks the configuration and starts the worker in this process.
// Compiled for the Edge runtime too, so Node-only code is imported only under "nodejs".
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installPeerAddressStamp } = await import("./lib/server/peer-address");
    installPeerAddressStamp();
    const { bootstrap, startWorker } = await import("./lib/server/start");
    const { getConfig } = await import("./lib/config");
    await bootstrap();
    if (getConfig().worker.inServer) await startWorker();
  }
}
