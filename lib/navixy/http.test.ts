import net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { nodeHttpFetch } from "./http";

/**
 * A server whose kept-alive connections die the way a closed idle connection does: it answers the first request of
 * each connection, keeps the connection open, and resets it when a second request arrives on it.
 */
async function serverThatDropsIdleConnections(): Promise<{ url: string; connections: () => number; requests: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let requests = 0;
  const server = net.createServer((socket) => {
    connections++;
    let answered = false;
    socket.on("data", () => {
      requests++;
      if (answered) {
        socket.resetAndDestroy();
        return;
      }
      answered = true;
      const body = '{"success":true}';
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/panel/user/read`,
    connections: () => connections,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("nodeHttpFetch: kept-alive connections", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  test("a read whose kept-alive connection was closed under it is sent again on a new one", async () => {
    const server = await serverThatDropsIdleConnections();
    close = server.close;
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: "{}", retryOnStaleConnection: true };
    expect((await nodeHttpFetch(server.url, init)).status).toBe(200);
    const again = await nodeHttpFetch(server.url, init);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('{"success":true}');
    expect(server.connections()).toBe(2);
  });

  test("a money call on such a connection is not sent again by the transport: its caller looks it up", async () => {
    const server = await serverThatDropsIdleConnections();
    close = server.close;
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" };
    expect((await nodeHttpFetch(server.url, init)).status).toBe(200);
    const error = await nodeHttpFetch(server.url, init).then(() => null, (e: NodeJS.ErrnoException) => e);
    expect(error?.code).toBe("ECONNRESET");
    expect(server.requests()).toBe(2);
    expect(server.connections()).toBe(1);
  });
});
