/**
 * The dashboard's HTTP server (node:http): the page and its fixed assets, and `/events`, a
 * Server-Sent Events stream of the run's events (the whole history on connect, then live ones).
 * A busy run appends thousands of events a second: they are encoded once (compactly, wire.ts),
 * only while someone watches, and written to each viewer at most every `flushMs` as one message
 * per batch.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { EventFeed } from "./feed.js";
import { WireEncoder } from "./wire.js";

export interface DashboardOptions {
  feed: EventFeed;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** longest wait before new events go out; default 100 ms */
  flushMs?: number;
  /** comment lines that keep idle streams (and proxies) open; default 15 s */
  heartbeatMs?: number;
}

export interface DashboardServer {
  /** where to point a browser, e.g. http://127.0.0.1:38411/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** viewers connected to /events now */
  clients(): number;
  /** Ends every event stream and stops listening; resolves when the server is closed. */
  close(): Promise<void>;
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

interface Client {
  readonly res: ServerResponse;
  /** events of the feed sent so far */
  sent: number;
  skippedSent: number;
  /** the socket's buffer is full: wait for drain */
  blocked: boolean;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** Events per SSE message: the page parses one message at a time, keep each moderate. */
const EVENTS_PER_MESSAGE = 2000;

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * The page's files, read once from the build's page directory. Requests are answered from this
 * table by exact name: nothing from a URL ever reaches the filesystem.
 */
function loadAssets(): Map<string, Asset> {
  // from dashboard/ itself or from the CLI's bundle beside it: the same directory
  const dir = new URL("../dashboard/page/", import.meta.url);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const ext = /^[\w-]+\.(html|css|js)$/.exec(name)?.[1];
    if (ext === undefined) continue;
    assets.set(`/${name}`, { type: TYPES[ext]!, body: readFileSync(new URL(name, dir)) });
  }
  const index = assets.get("/index.html");
  if (!index) throw new Error(`the dashboard page is missing from ${dir.pathname} (run npm run build)`);
  assets.set("/", index);
  return assets;
}

const isLoopback = (host: string): boolean => host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
const isWildcard = (host: string): boolean => host === "0.0.0.0" || host === "::";
const bracket = (host: string): string => (host.includes(":") ? `[${host}]` : host);

export function serveDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const { feed } = options;
  const host = options.host ?? "127.0.0.1";
  const flushMs = options.flushMs ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const assets = loadAssets();
  const clients = new Set<Client>();
  // each event encoded once (compactly: wire.ts), and only once someone watches
  let encoded: string[] = [];
  let encoder = new WireEncoder();
  let flushTimer: NodeJS.Timeout | undefined;
  let allowedHosts: Set<string> | undefined;
  let closing = false;

  const encodeUpTo = (n: number): void => {
    const events = feed.events();
    for (let i = encoded.length; i < n; i++) encoded.push(encoder.encode(events[i]!));
  };

  /** SSE messages carrying events [from, to) as JSON arrays. */
  const messages = (from: number, to: number): string => {
    let out = "";
    for (let i = from; i < to; i += EVENTS_PER_MESSAGE) {
      out += "data: [" + encoded.slice(i, Math.min(to, i + EVENTS_PER_MESSAGE)).join(",") + "]\n\n";
    }
    return out;
  };

  const send = (c: Client, text: string): void => {
    if (text === "" || c.res.writableEnded) return;
    if (!c.res.write(text) && !c.blocked) {
      c.blocked = true;
      c.res.once("drain", () => {
        c.blocked = false;
        schedule();
      });
    }
  };

  const flush = (): void => {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    const n = feed.length;
    if (clients.size === 0) return;
    encodeUpTo(n);
    // viewers at the same position (the usual case) share one encoded batch
    const batches = new Map<number, string>();
    for (const c of clients) {
      if (c.blocked) continue;
      let text = "";
      if (c.skippedSent !== feed.skipped) {
        c.skippedSent = feed.skipped;
        text += `event: meta\ndata: ${JSON.stringify({ skipped: feed.skipped })}\n\n`;
      }
      if (c.sent < n) {
        let batch = batches.get(c.sent);
        if (batch === undefined) batches.set(c.sent, (batch = messages(c.sent, n)));
        text += batch;
        c.sent = n;
      }
      send(c, text);
    }
  };

  const schedule = (): void => {
    if (flushTimer === undefined && clients.size > 0 && !closing) flushTimer = setTimeout(flush, flushMs);
  };

  const unsubscribe = feed.subscribe({
    appended: schedule,
    reset() {
      encoded = [];
      encoder = new WireEncoder();
      for (const c of clients) {
        c.sent = 0;
        c.skippedSent = 0;
        send(c, "event: reset\ndata: {}\n\n");
      }
      schedule();
    },
  });

  const heartbeat = setInterval(() => {
    for (const c of clients) if (!c.blocked) send(c, ": heartbeat\n\n");
  }, heartbeatMs);
  heartbeat.unref();

  const refuse = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(text + "\n");
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    const client: Client = { res, sent: 0, skippedSent: 0, blocked: false };
    clients.add(client);
    res.on("close", () => clients.delete(client));
    // every connection (a reconnect too) starts from a clean page and the whole history
    send(client, "retry: 2000\n\nevent: reset\ndata: {}\n\n");
    flush();
  };

  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(res, 405, "method not allowed", { allow: "GET, HEAD" });
    // DNS rebinding: a page of another site whose name resolves to 127.0.0.1 must not read the run
    if (allowedHosts && !allowedHosts.has((req.headers.host ?? "").toLowerCase())) return refuse(res, 403, "unexpected Host header");
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://dashboard.invalid").pathname;
    } catch {
      return refuse(res, 400, "bad request");
    }
    if (path === "/events") return openStream(req, res);
    const asset = assets.get(path);
    if (!asset) return refuse(res, 404, "not found");
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": asset.type, "content-length": String(asset.body.length), "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : asset.body);
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      if (isLoopback(host)) {
        const names = ["127.0.0.1", "localhost", "[::1]", bracket(host)];
        // browsers leave out the default port
        allowedHosts = new Set([...names.map((h) => `${h}:${port}`), ...(port === 80 ? names : [])]);
      }
      const url = `http://${bracket(isWildcard(host) ? hostname() : host)}:${port}/`;
      resolve({
        url,
        host,
        port,
        clients: () => clients.size,
        close() {
          // what the viewers have not seen yet (the run's end) goes out before the streams end
          flush();
          closing = true;
          unsubscribe();
          clearInterval(heartbeat);
          if (flushTimer !== undefined) clearTimeout(flushTimer);
          return new Promise<void>((done) => {
            server.close(() => done());
            for (const c of clients) c.res.end();
            clients.clear();
            // idle keep-alive sockets would hold close() until they time out
            server.closeAllConnections();
          });
        },
      });
    });
  });
}
