/**
 * Runs the Navixy emulator standalone (sandbox/demo):
 *   npx tsx dev/emulators/navixy/main.ts --port 12112 [--host 127.0.0.1] [--currency EUR]
 *     [--login 12345] [--password demo-password] [--api-hash emulator-api-hash] [--quiet]
 */
import { parseArgs } from "node:util";
import { DEMO_USERS } from "./demo-users";
import { startNavixyEmulator } from "./server";


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "12112" },
      host: { type: "string", default: "127.0.0.1" },
      currency: { type: "string", default: "EUR" },
      login: { type: "string" },
      password: { type: "string" },
      "api-hash": { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const emu = await startNavixyEmulator({
    port,
    host: values.host,
    currency: values.currency,
    users: DEMO_USERS,
    ...(values.login ? { login: values.login } : {}),
    ...(values.password ? { password: values.password } : {}),
    ...(values["api-hash"] ? { apiHash: values["api-hash"] } : {}),
    ...(values.quiet ? {} : { log: (l: string) => console.log(l) }),
  });
  console.log(`Navixy emulator listening on ${emu.url}`);
  console.log(`  NAVIXY_API_URL=${emu.apiUrl}`);
  console.log(`  NAVIXY_LOGIN=${emu.credentials.login}`);
  console.log(`  NAVIXY_PASSWORD=${emu.credentials.password}`);
  console.log(`  NAVIXY_API_HASH=${emu.credentials.apiHash}`);
  console.log(`  currency ${values.currency}; users: ${DEMO_USERS.map((u) => `${u.id}${u.subUser ? " (sub-user)" : ""}`).join(", ")}`);
  console.log(`  controls: GET ${emu.url}/_emulator/state, POST ${emu.url}/_emulator/faults, ...`);
  const stop = () => {
    void emu.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
