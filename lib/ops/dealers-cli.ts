// `npm run dealers -- <command>`: the operator's dealer commands, without the console (multi-dealer hosting).
// The same functions the console uses (lib/admin/dealers.ts); every change is in the audit log as "cli".
import fs from "node:fs";
import readline from "node:readline";
import { bootstrap } from "../server/start";
import { getServices } from "../server/services";
import { DealerInputError, dealerSettingsView, listDealers, resealDealerSecrets } from "../dealers/directory";
import { DealerSettingsError } from "../dealers/settings";
import { SecretOpenError, SecretsKeyError } from "../dealers/secret-box";
import { addDealerChecked, changeDealer, checkDealer, resumeDealer, suspendDealer, type DealerCheckReport } from "../admin/dealers";
import type { Actor } from "../admin/audit";
import { setDealerConsolePassword } from "../admin/dealer-console";

const USAGE = `Usage: npm run dealers -- <command>
  add <slug> --name <name> [--env-file <file>] [--set NAME=VALUE ...]
                          add a dealer: its variables (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET,
                          NAVIXY_PANEL_LOGIN, NAVIXY_PANEL_PASSWORD, ...) from a file of NAME=VALUE lines and/or --set;
                          a value "-" is read from standard input (secrets stay out of the shell's history).
                          Runs the setup checks: the dealer goes live when they pass.
  set <slug> [--env-file <file>] [--set NAME=VALUE ...]
                          change some of a dealer's variables (an empty value removes one), then check again
  list                    every dealer: slug, status, name, its pages' and webhook's addresses
  check <slug>            run a dealer's setup checks; a dealer in setup goes live when they pass
  suspend <slug> [comment]
                          stop taking payments (money already taken is still credited)
  resume <slug>           take a suspended dealer back (live again once its checks pass)
  console-password <slug> [--remove]
                          set the dealer's own console password (read from standard input; its sessions end),
                          or remove its console login; the dealer signs in at /admin/login with its slug
  rotate-secrets          reseal every dealer secret with the newest key of SECRETS_KEY, then check that every stored
                          value opens with it; exits 1, naming what is left, while any is still under an older key`;

const CLI: Actor = { actor: "cli", ip: null };

class UsageError extends Error {}

/** --name, --env-file, --set NAME=VALUE (repeatable). */
async function parseOptions(args: string[]): Promise<{ rest: string[]; name?: string; values: Record<string, string> }> {
  const values: Record<string, string> = {};
  const rest: string[] = [];
  let name: string | undefined;
  const fromStdin: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--name") name = args[++i];
    else if (arg === "--env-file") Object.assign(values, readEnvFile(args[++i] ?? ""));
    else if (arg === "--set") {
      const pair = args[++i] ?? "";
      const eq = pair.indexOf("=");
      if (eq < 1) throw new UsageError(`--set needs NAME=VALUE, got "${pair}"`);
      const key = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "-") fromStdin.push(key);
      else values[key] = value;
    } else rest.push(arg);
  }
  if (fromStdin.length) {
    const lines = readline.createInterface({ input: process.stdin });
    const iterator = lines[Symbol.asyncIterator]();
    for (const key of fromStdin) {
      if (process.stdin.isTTY) process.stderr.write(`${key}: `);
      const next = await iterator.next();
      if (next.done) throw new UsageError(`${key}: nothing on standard input`);
      values[key] = next.value.trim();
    }
    lines.close();
  }
  return { rest, ...(name !== undefined ? { name } : {}), values };
}

function readEnvFile(file: string): Record<string, string> {
  if (!file) throw new UsageError("--env-file needs a file");
  const out: Record<string, string> = {};
  for (const raw of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 1) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

function printReport(r: DealerCheckReport): void {
  console.log(`${r.dealer.slug} (${r.dealer.name}): ${r.dealer.status}`);
  console.log(`  payment system URL (Navixy Admin Panel): ${r.paymentSystemUrl}`);
  console.log(`  webhook endpoint (Stripe):               ${r.webhookUrl}`);
  for (const c of r.checks) console.log(`  [${c.state === "ok" ? "ok" : c.state === "failed" ? "FAILED" : "?"}] ${c.label}: ${c.detail}`);
  if (r.blocking.length) console.log(`  Not live until these pass: ${r.blocking.map((c) => c.label).join(", ")}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  await bootstrap();
  const { rootDb } = getServices();
  switch (command) {
    case "add": {
      const { rest, name, values } = await parseOptions(args);
      const [slug] = rest;
      if (!slug || !name) throw new UsageError("add needs a slug and --name");
      const report = await addDealerChecked(CLI, { slug, name, values });
      printReport(report);
      return report.dealer.status === "active" ? 0 : 1;
    }
    case "set": {
      const { rest, values } = await parseOptions(args);
      const [slug] = rest;
      if (!slug || Object.keys(values).length === 0) throw new UsageError("set needs a slug and at least one --set or --env-file");
      printReport(await changeDealer(CLI, slug, values));
      return 0;
    }
    case "list": {
      const dealers = await listDealers(rootDb);
      if (!dealers.length) console.log("No dealers besides the environment's own.");
      // The addresses as they are entered: the Payment system URL in Navixy, the webhook endpoint in Stripe.
      const site = getServices().config.siteUrl;
      for (const d of dealers) {
        const view = dealerSettingsView(d);
        console.log(`${d.slug}\t${d.status}\t${d.name}\t${site}/d/${d.slug}/?id={id}\t${site}/api/stripe/webhook/${d.slug}\tsecrets: ${view.secrets.join(",") || "none"}`);
      }
      return 0;
    }
    case "check": {
      const [slug] = args;
      if (!slug) throw new UsageError("check needs a slug");
      const report = await checkDealer(CLI, slug);
      printReport(report);
      return report.blocking.length ? 1 : 0;
    }
    case "suspend": {
      const [slug, ...comment] = args;
      if (!slug) throw new UsageError("suspend needs a slug");
      const row = await suspendDealer(CLI, slug, comment.join(" ") || null);
      console.log(`${row.slug}: suspended (its pages answer "not available"; money already taken is still credited)`);
      return 0;
    }
    case "resume": {
      const [slug] = args;
      if (!slug) throw new UsageError("resume needs a slug");
      const report = await resumeDealer(CLI, slug);
      printReport(report);
      return report.dealer.status === "active" ? 0 : 1;
    }
    case "console-password": {
      const [slug, flag] = args;
      if (!slug) throw new UsageError("console-password needs a slug");
      if (flag === "--remove") {
        await setDealerConsolePassword(CLI, slug, null);
        console.log(`${slug}: console login removed; its sessions ended.`);
        return 0;
      }
      // From standard input, never the command line: it would stay in the shell history and the process list.
      const { values } = await parseOptions(["--set", "CONSOLE_PASSWORD=-"]);
      await setDealerConsolePassword(CLI, slug, values.CONSOLE_PASSWORD ?? "");
      console.log(`${slug}: console password set; it signs in at /admin/login with the dealer "${slug}". Any session of the old password ended.`);
      return 0;
    }
    case "rotate-secrets": {
      const report = await resealDealerSecrets(rootDb, getServices().config);
      console.log(`${report.resealed} secret value(s) resealed with the newest key '${report.newestKey}'.`);
      if (report.remaining.length) {
        // Dropping an older key now would leave these dealers unable to open their secrets: pages 404, webhooks fail.
        console.error(`Not done: ${report.remaining.length} stored value(s) do not open with the newest key '${report.newestKey}':`);
        for (const r of report.remaining) console.error(`  ${r.dealer} ${r.variable}: ${r.problem}`);
        console.error(
          "Keep every key of SECRETS_KEY. A dealer changed meanwhile: run rotate-secrets again (after every instance runs with the " +
            `new key first). A value no key opens: enter it again (npm run dealers -- set <slug> --set NAME=-).`,
        );
        return 1;
      }
      console.log(
        `Checked: every stored secret (${report.checked}) opens with the newest key '${report.newestKey}'; once every instance runs with ` +
          `'${report.newestKey}' first, the older keys can now leave SECRETS_KEY.`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else if (error instanceof DealerInputError || error instanceof DealerSettingsError || error instanceof SecretsKeyError || error instanceof SecretOpenError)
      console.error(error.message);
    else console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });

