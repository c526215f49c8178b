// Request bodies for the tests of the body caps (lib/http/body.ts): a body that never ends unless the reader stops,
// sent without a Content-Length (a chunked upload), which counts how much of it was taken.
export interface EndlessBody {
  stream: ReadableStream<Uint8Array>;
  /** Bytes handed to the reader so far. */
  pulled(): number;
  /** Whether the reader canceled the stream (stopped reading). */
  canceled(): boolean;
}

/** `prefix`, then `filler` repeated in 16 KB chunks until `totalBytes` (64 MB) have been read. */
export function endlessBody(prefix = "", filler = " ", totalBytes = 64 * 1024 * 1024): EndlessBody {
  const chunk = new TextEncoder().encode(filler.repeat(Math.ceil((16 * 1024) / filler.length)));
  let pulled = 0;
  let canceled = false;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (first && prefix) {
        first = false;
        const head = new TextEncoder().encode(prefix);
        pulled += head.byteLength;
        controller.enqueue(head);
        return;
      }
      if (pulled >= totalBytes) {
        controller.close();
        return;
      }
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      canceled = true;
    },
  });
  return { stream, pulled: () => pulled, canceled: () => canceled };
}

/** A POST of `body` with no Content-Length. */
export function chunkedPost(url: string, body: EndlessBody, headers: Record<string, string>): Request {
  return new Request(url, { method: "POST", headers, body: body.stream, duplex: "half" } as RequestInit & { duplex: "half" });
}
