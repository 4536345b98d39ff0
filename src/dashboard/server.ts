/**
 * The dashboard's HTTP server (node:http): the page and its fixed assets, and `/events`, a
 * Server-Sent Events stream of the run's events (the whole history on connect, then live ones).
 * A busy run appends thousands of events a second: they are encoded once (compactly, wire.ts,
 * into a history all viewers share: history.ts), only while someone watches, and written to each
 * viewer at most every `flushMs`. A viewer gets one message at a time and the next only once its
 * socket took the last (write() said so, or 'drain'): a viewer that reads slowly, or not at all,
 * costs a socket buffer, never a copy of the history; one that takes nothing for `stallMs` is
 * dropped, and at most `maxClients` are served at once. `run --dashboard` serves from this code
 * inside the driver.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP, type AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { EventFeed } from "./feed.js";
import { EncodedHistory, type Message } from "./history.js";

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
  /** event streams served at once; more are refused (503); default 32 */
  maxClients?: number;
  /** a viewer whose socket took nothing for this long is dropped (it reconnects if it is a page); default 60 s */
  stallMs?: number;
}

export interface DashboardServer {
  /** where to point a browser, e.g. http://127.0.0.1:38411/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** viewers connected to /events now */
  clients(): number;
  /** bytes written to viewers' sockets that the sockets have not taken yet (all viewers) */
  unsentBytes(): number;
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
  /** a reset is owed before anything else (a new stream, or the feed started over) */
  resetOwed: boolean;
  /** the socket's buffer is full: nothing more until 'drain' */
  blocked: boolean;
  /** when it blocked (performance.now()) */
  blockedSince: number;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** A viewer with more than this written and not taken is dropped: backpressure keeps it far below. */
const MAX_UNSENT = 4 << 20;

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

/**
 * An address a server is bound to that only this machine reaches: 127.0.0.0/8, ::1, or 127.0.0.0/8
 * mapped into IPv6 (as server.address() writes them, whatever spelling --host used).
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (isIP(a) === 4) return a.startsWith("127.");
  if (a === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped !== null && mapped[1]!.startsWith("127.");
}

/**
 * Whether a Host header names a loopback server on `port`: localhost, 127.0.0.0/8 or ::1 (in any
 * spelling a URL allows: the URL parser writes it canonically), and that port (left out for 80).
 * A page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) sends its
 * own name, and is refused.
 */
export function isLoopbackHostHeader(header: string | undefined, port: number): boolean {
  if (header === undefined || !/^[A-Za-z0-9.:[\]-]+$/.test(header)) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}/`);
  } catch {
    return false;
  }
  if (url.port !== (port === 80 ? "" : String(port))) return false;
  const name = url.hostname;
  return name === "localhost" || (isIP(name) === 4 && name.startsWith("127.")) || name === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name);
}

const isWildcard = (address: string): boolean => address === "0.0.0.0" || address === "::";
const bracket = (host: string): string => (host.includes(":") ? `[${host}]` : host);

export function serveDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const { feed } = options;
  const host = options.host ?? "127.0.0.1";
  const flushMs = options.flushMs ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxClients = options.maxClients ?? 32;
  const stallMs = options.stallMs ?? 60_000;
  const assets = loadAssets();
  const clients = new Set<Client>();
  // each event encoded once, and only once someone watches
  const history = new EncodedHistory();
  let flushTimer: NodeJS.Timeout | undefined;
  /** the port Host headers must name; undefined: not bound to loopback, any Host */
  let loopbackPort: number | undefined;
  let closing = false;

  const encodeUpTo = (n: number): void => {
    const events = feed.events();
    for (let i = history.length; i < n; i++) history.push(events[i]!);
  };

  const block = (c: Client): void => {
    c.blocked = true;
    c.blockedSince = performance.now();
    c.res.once("drain", () => {
      c.blocked = false;
      pump(c);
    });
  };

  /**
   * Send `c` what it has not had, one message at a time while its socket takes them; `shared`
   * holds the messages of this flush by position (viewers at the same place, the usual case,
   * share one).
   */
  const pump = (c: Client, shared?: Map<number, Message>): void => {
    if (c.blocked || c.res.writableEnded || c.res.destroyed) return;
    let ok = true;
    if (c.resetOwed) {
      c.resetOwed = false;
      ok = c.res.write("event: reset\ndata: {}\n\n");
    }
    if (ok && c.skippedSent !== feed.skipped) {
      c.skippedSent = feed.skipped;
      ok = c.res.write(`event: meta\ndata: ${JSON.stringify({ skipped: feed.skipped })}\n\n`);
    }
    while (ok && c.sent < history.length) {
      let m = shared?.get(c.sent);
      if (m === undefined) {
        m = history.message(c.sent);
        shared?.set(c.sent, m);
      }
      for (const piece of m.pieces) ok = c.res.write(piece) && ok;
      c.sent = m.end;
    }
    if (c.res.writableLength > MAX_UNSENT) c.res.destroy();
    else if (!ok) block(c);
  };

  const flush = (): void => {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (clients.size === 0) return;
    encodeUpTo(feed.length);
    const shared = new Map<number, Message>();
    for (const c of clients) pump(c, shared);
  };

  const schedule = (): void => {
    if (flushTimer === undefined && clients.size > 0 && !closing) flushTimer = setTimeout(flush, flushMs);
  };

  const unsubscribe = feed.subscribe({
    appended: schedule,
    reset() {
      history.clear();
      for (const c of clients) {
        c.sent = 0;
        c.skippedSent = 0;
        c.resetOwed = true;
      }
      schedule();
    },
  });

  const heartbeat = setInterval(() => {
    const now = performance.now();
    for (const c of clients) {
      if (!c.blocked) {
        if (!c.res.write(": heartbeat\n\n")) block(c);
      }
      // a viewer that takes nothing holds a place among maxClients: a page reconnects by itself
      else if (now - c.blockedSince > stallMs) c.res.destroy();
    }
  }, Math.min(heartbeatMs, stallMs));
  heartbeat.unref();

  const refuse = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(text + "\n");
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "HEAD" && clients.size >= maxClients) return refuse(res, 503, `too many viewers (at most ${maxClients})`, { "retry-after": "10" });
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
    // every connection (a reconnect too) starts from a clean page and the whole history
    const client: Client = { res, sent: 0, skippedSent: 0, resetOwed: true, blocked: false, blockedSince: 0 };
    clients.add(client);
    res.on("close", () => clients.delete(client));
    if (!res.write("retry: 2000\n\n")) block(client);
    flush();
  };

  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(res, 405, "method not allowed", { allow: "GET, HEAD" });
    // DNS rebinding: a page of another site whose name resolves to 127.0.0.1 must not read the run
    if (loopbackPort !== undefined && !isLoopbackHostHeader(req.headers.host, loopbackPort)) return refuse(res, 403, "unexpected Host header");
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
      // what the socket is bound to, not how --host spelt it (LOCALHOST, 127.1, 2130706433, ...)
      const bound = server.address() as AddressInfo;
      const port = bound.port;
      if (isLoopbackAddress(bound.address)) loopbackPort = port;
      const url = `http://${bracket(isWildcard(bound.address) ? hostname() : host)}:${port}/`;
      resolve({
        url,
        host,
        port,
        clients: () => clients.size,
        unsentBytes: () => [...clients].reduce((n, c) => n + c.res.writableLength, 0),
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
