// `npm run payments -- <command>`: the operator's tools, the same functions the worker and the dealer
// console use.
//   capture <paymentId> [amount]   capture an authorization, all or part (amount in major units, e.g. 12.50)
//   cancel <paymentId>             release an authorization / cancel an unpaid PaymentIntent
//   resync [--since 3d]            store and process the Stripe events we never received
//   sweep                          re-read every payment that should have moved on by now
//   retry <movementId>             send a failed balance movement again (looked up in Navixy first)
//   resolve <movementId> applied|canceled <comment>
//                                  settle a movement by hand (as the console's "resolve"), with the audit log
//   attention                      list what needs a person
//   show <paymentId>               a payment with its timeline and movements
//   reconcile --date YYYY-MM-DD [--to YYYY-MM-DD] [--json] [--again]
//                                  Stripe, the ledger and Navixy, day by day; exit 0 balanced, 1 differences,
//                                  2 a source could not be read
//   books --date YYYY-MM-DD | --month YYYY-MM   the books as CSV
import { parseDuration } from "../config";
import { isMovementId, isPaymentId } from "../ids";
import { needsAttention } from "../payments/attention";
import { cancelPayment, captureDueAuthorizations, capturePayment } from "../payments/capture";
import { sweepPayments } from "../payments/sweep";
import { parseMajorAmount, formatMoney } from "../money";
import { retryMovement } from "../payments/retry-movement";
import { AdminActionError, resolveMovement } from "../admin/actions";
import { exportBooks } from "../admin/reconciliation";
import { resyncEvents } from "../payments/intake/resync-events";
import { bootstrap } from "../server/start";
import { getServices, servicesForSlug } from "../server/services";
import { LedgerWorker } from "../payments/worker/ledger-worker";
import { reconcileDays, type DaysOutcome } from "../reconciliation/reconcile-days";

const USAGE = `Usage: npm run payments -- [--dealer <slug>] <command>   (a hosted dealer's ledger; default: the environment's)
  capture <paymentId> [amount]   capture an authorization (amount in major units, e.g. 12.50; default all)
  cancel <paymentId>             release an authorization or cancel an unpaid payment
  resync [--since 3d]            fetch the Stripe events we never received (Stripe keeps 30 days)
  sweep                          re-read from Stripe every payment that should have moved on
  retry <movementId>             send a failed balance movement again (looked up in Navixy first)
  resolve <movementId> applied|canceled <comment>
                                 settle a movement by hand: "applied" (the change is in Navixy) or
                                 "canceled" (no longer owed); a failed refund's note is cleared keeping its state
  attention                      list what needs a person
  show <paymentId>               a payment, its timeline and its balance movements
  reconcile --date YYYY-MM-DD [--to YYYY-MM-DD] [--json] [--again]
                                 reconcile Stripe, the ledger and Navixy for each day (the dealer's time zone);
                                 a day already reconciled is shown as stored unless --again; exit 0 balanced,
                                 1 differences, 2 a source could not be read (the run continues when started again)
  books --date YYYY-MM-DD | --month YYYY-MM
                                 the books as CSV: each payment's gross, Stripe fee, net, payout and its date,
                                 the Navixy transaction and the user; each payout after its transactions`;

async function main(argv: string[]): Promise<number> {
  let dealerSlug: string | undefined;
  const dealerAt = argv.indexOf("--dealer");
  if (dealerAt >= 0) {
    dealerSlug = argv[dealerAt + 1];
    if (!dealerSlug || dealerSlug.startsWith("--")) throw new UsageError("--dealer needs a slug");
    argv = [...argv.slice(0, dealerAt), ...argv.slice(dealerAt + 2)];
  }
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  await bootstrap();
  const services = dealerSlug ? await servicesForSlug(dealerSlug) : getServices();
  if (!services) throw new UsageError(`there is no dealer "${dealerSlug}"`);
  // Work this command creates (a credit after a capture, events after a resync) is done before exiting.
  const finish = async () => {
    await new LedgerWorker(services).drain();
  };
  switch (command) {
    case "capture": {
      const [paymentId, amountText] = args;
      if (!paymentId || !isPaymentId(paymentId)) throw new UsageError("capture needs a payment id (pay_...)");
      let amount: number | undefined;
      if (amountText) {
        const payment = await services.db.payment.findUnique({ where: { id: paymentId } });
        const parsed = payment ? parseMajorAmount(amountText, payment.currency) : null;
        if (parsed === null) throw new UsageError(`"${amountText}" is not an amount in the payment's currency`);
        amount = parsed;
      }
      const payment = await capturePayment(services, paymentId, amount);
      await finish();
      console.log(`${payment.id}: ${payment.status}, ${formatMoney(payment.amountReceived, payment.currency)} captured`);
      return 0;
    }
    case "cancel": {
      const paymentId = args[0];
      if (!paymentId || !isPaymentId(paymentId)) throw new UsageError("cancel needs a payment id (pay_...)");
      const payment = await cancelPayment(services, paymentId);
      console.log(`${payment.id}: ${payment.status}`);
      return 0;
    }
    case "resync": {
      const i = args.indexOf("--since");
      const ms = parseDuration(i >= 0 ? args[i + 1] : "3d");
      if (!ms) throw new UsageError("--since takes a duration like 6h or 3d");
      const since = new Date(Date.now() - ms);
      const result = await resyncEvents(services, since);
      await finish();
      console.log(`Stripe listed ${result.listed} events since ${since.toISOString()}; ${result.stored} were new and have been processed.`);
      return 0;
    }
    case "sweep": {
      const sweep = await sweepPayments(services);
      const capture = await captureDueAuthorizations(services);
      await finish();
      console.log(JSON.stringify({ ...sweep, captured: capture.captured, captureErrors: capture.errors }));
      return sweep.errors + capture.errors > 0 ? 1 : 0;
    }
    case "retry": {
      const movementId = args[0];
      if (!movementId || !isMovementId(movementId)) throw new UsageError("retry needs a movement id (mv_...)");
      await retryMovement(services, movementId);
      await finish();
      const movement = await services.db.balanceMovement.findUniqueOrThrow({ where: { id: args[0] } });
      console.log(`${movement.id}: ${movement.state}${movement.lastError ? ` (${movement.lastError})` : ""}`);
      return movement.state === "applied" ? 0 : 1;
    }
    case "resolve": {
      const [movementId, how, ...words] = args;
      if (!movementId || (how !== "applied" && how !== "canceled")) throw new UsageError("resolve needs a movement id, then applied or canceled, then a comment");
      try {
        const { state, changed } = await resolveMovement(services, { actor: "cli", ip: null }, { movementId, appliedInNavixy: how === "applied", comment: words.join(" ") });
        console.log(`${movementId}: ${state}${changed ? "" : " (already)"}`);
      } catch (error) {
        if (error instanceof AdminActionError) throw new UsageError(error.message);
        throw error;
      }
      return 0;
    }
    case "attention": {
      const items = await needsAttention(services);
      if (items.length === 0) console.log("Nothing needs attention.");
      for (const item of items) {
        console.log(`${item.kind}  ${item.paymentId}${item.movementId ? ` ${item.movementId}` : ""}  ${formatMoney(item.amount, item.currency)}\n  ${item.reason}\n  → ${item.action}`);
      }
      return 0;
    }
    case "show": {
      if (!args[0]) throw new UsageError("show needs a payment id");
      const payment = await services.db.payment.findUnique({
        where: { id: args[0] },
        include: { history: { orderBy: { at: "asc" } }, movements: { include: { calls: { orderBy: { id: "asc" } } } } },
      });
      if (!payment) throw new UsageError(`no payment ${args[0]}`);
      console.log(JSON.stringify(payment, null, 2));
      return 0;
    }
    case "reconcile": {
      const option = (name: string) => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const from = option("--date");
      if (!from) throw new UsageError("reconcile needs --date YYYY-MM-DD");
      const json = args.includes("--json");
      let outcome: DaysOutcome;
      try {
        outcome = await reconcileDays(services, { from, to: option("--to") ?? from, again: args.includes("--again") });
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      if (json) console.log(JSON.stringify(outcome.report, null, 2));
      else for (const line of outcome.lines) console.log(line);
      if (outcome.unreadable) console.error(outcome.unreadable);
      return outcome.exitCode;
    }
    case "books": {
      const option = (name: string) => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const exported = await exportBooks(services, { actor: "cli", ip: null }, { day: option("--date"), month: option("--month") });
      if (exported.kind === "refused") throw new UsageError(`books: ${exported.problem}`);
      if (exported.kind === "unavailable") {
        console.error(exported.problem);
        return 2;
      }
      process.stdout.write(exported.body.replace(/^\uFEFF/, ""));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `Failed: ${describeError(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return [error.message || error.name, code && `(${code})`, process.env.DEBUG ? `\n${error.stack}` : ""].filter(Boolean).join(" ");
}
