// What a server keeps, as opposed to what its process has grown to: the V8 heap in use right after a full garbage
// collection, asked of the server's inspector (the server started with --inspect=127.0.0.1:<port>). RSS moves by
// ±100 MB with the collector's timing alone; this moves only with what is still referenced.
import { execFileSync } from "node:child_process";

// Node 20's WebSocket client is behind a flag: a short-lived node with it speaks to the inspector. argv[1]: its URL.
const CLIENT = `
const ws = new WebSocket(process.argv[1]);
let id = 0;
const pending = new Map();
const call = (method, params = {}) => new Promise((resolve, reject) => {
  const n = ++id;
  pending.set(n, { resolve, reject });
  ws.send(JSON.stringify({ id: n, method, params }));
});
ws.onmessage = (message) => {
  const data = JSON.parse(String(message.data));
  const p = pending.get(data.id);
  if (!p) return;
  pending.delete(data.id);
  if (data.error) p.reject(new Error(data.error.message));
  else p.resolve(data.result);
};
ws.onerror = () => { console.error("inspector connection failed"); process.exit(1); };
ws.onopen = async () => {
  try {
    await call("HeapProfiler.collectGarbage");
    const r = await call("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true });
    process.stdout.write(r.result.value);
    process.exit(0);
  } catch (error) {
    console.error(String(error));
    process.exit(1);
  }
};
`;

/** The server's V8 heap in use after a full collection, in MB. */
export async function heapAfterGcMb(inspectPort: number): Promise<number> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const out = execFileSync(process.execPath, ["--experimental-websocket", "-e", CLIENT, url], { encoding: "utf8", timeout: 120_000 });
  return (JSON.parse(out) as { heapUsed: number }).heapUsed / (1024 * 1024);
}
