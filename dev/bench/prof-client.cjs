// node --experimental-websocket prof-client.cjs <ws-url> <out-file>: starts the CPU profiler, stops it when stdin closes.
const fs = require("node:fs");
const ws = new WebSocket(process.argv[2]);
let id = 0; const pending = new Map();
const call = (method, params = {}) => new Promise((resolve, reject) => { const n = ++id; pending.set(n, { resolve, reject }); ws.send(JSON.stringify({ id: n, method, params })); });
ws.onmessage = (m) => { const d = JSON.parse(String(m.data)); const p = pending.get(d.id); if (!p) return; pending.delete(d.id); d.error ? p.reject(new Error(d.error.message)) : p.resolve(d.result); };
ws.onopen = async () => {
  await call("Profiler.enable"); await call("Profiler.setSamplingInterval", { interval: 200 }); await call("Profiler.start");
  process.stdout.write("started\n");
  process.stdin.resume();
  process.stdin.on("end", async () => { const r = await call("Profiler.stop"); fs.writeFileSync(process.argv[3], JSON.stringify(r.profile)); process.exit(0); });
};
