/**
 * A minimal client of the dashboard's event stream, from Node: counts the events it receives.
 * For benchmarks (a viewer connected during a run costs what it costs) and tests; a browser
 * does the same through EventSource.
 */
import { request, type IncomingMessage } from "node:http";

export interface DashboardWatcher {
  /** events received since the last reset (each connection starts with one) */
  readonly events: number;
  readonly resets: number;
  /** event messages received (each carries a batch of events) */
  readonly messages: number;
  /** the `skipped` count of the latest meta message */
  readonly skipped: number;
  /** Resolves once `events >= n` (rejects after `timeoutMs`, default 10 s). */
  waitForEvents(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `condition()` holds, checked as messages arrive (rejects after `timeoutMs`, default 10 s). */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** resolves when the server ends the stream (or the connection drops) */
  readonly ended: Promise<void>;
  close(): void;
}

/** Connect to `${url}events`; resolves once the stream is open. */
export function watchDashboard(url: string, options: { host?: string } = {}): Promise<DashboardWatcher> {
  const target = new URL("events", url);
  return new Promise((resolve, reject) => {
    const req = request(target, { headers: { accept: "text/event-stream", ...(options.host ? { host: options.host } : {}) } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${target.href}: HTTP ${res.statusCode}`));
        return;
      }
      let events = 0;
      let resets = 0;
      let skipped = 0;
      let messages = 0;
      let buffer = "";
      const waiters = new Set<() => void>();
      const ended = new Promise<void>((done) => {
        res.on("end", done);
        res.on("close", done);
        res.on("error", () => done());
      });
      const waitFor = (condition: () => boolean, timeoutMs = 10_000): Promise<void> =>
        new Promise<void>((done, fail) => {
          const check = (): void => {
            if (!condition()) return;
            waiters.delete(check);
            clearTimeout(timer);
            done();
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(new Error(`condition not met after ${timeoutMs} ms`));
          }, timeoutMs);
          waiters.add(check);
          check();
        });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = "message";
          let data = "";
          for (const line of message.split("\n")) {
            if (line.startsWith("event: ")) type = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (type === "reset") {
            resets++;
            events = 0;
          } else if (type === "meta") skipped = (JSON.parse(data) as { skipped: number }).skipped;
          else if (type === "message" && data !== "") {
            messages++;
            events += (JSON.parse(data) as unknown[]).length;
          }
        }
        for (const w of waiters) w();
      });
      resolve({
        get events() {
          return events;
        },
        get resets() {
          return resets;
        },
        get messages() {
          return messages;
        },
        get skipped() {
          return skipped;
        },
        ended,
        waitForEvents: (n, timeoutMs) =>
          waitFor(() => events >= n, timeoutMs).catch(() => {
            throw new Error(`${events} events after ${timeoutMs ?? 10_000} ms, waited for ${n}`);
          }),
        waitFor,
        close() {
          req.destroy();
        },
      });
    });
    req.on("error", reject);
    req.end();
  });
}
