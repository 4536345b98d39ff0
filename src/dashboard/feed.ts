/**
 * The events of one run, in memory: appended by the run (or by a follower of its events file),
 * replayed whole to every new viewer, then followed live. Appending is O(1) and tells subscribers
 * synchronously; anything costly (encoding, writing to sockets) is theirs to coalesce. Events that
 * do not fit the run (events.ts fitsRun: a job beyond its slices or iterations) are dropped here,
 * counted as skipped, whatever their source.
 */
import { fitsRun, type RunEvent, type RunStartEvent } from "./events.js";

export interface FeedSubscriber {
  /** events were appended: they are `feed.events()` from index `from` on */
  appended(from: number): void;
  /** the history was replaced (e.g. the events file was truncated): start again from `feed.events()` */
  reset(): void;
}

export class EventFeed {
  private log: RunEvent[] = [];
  private readonly subscribers = new Set<FeedSubscriber>();
  private skippedLines = 0;
  /** the latest run event: what later events must fit */
  private run: RunStartEvent | undefined;

  /** The whole history so far (do not modify). */
  events(): readonly RunEvent[] {
    return this.log;
  }

  get length(): number {
    return this.log.length;
  }

  /** Lines of an events file that were not events (bad JSON or shape) or did not fit the run, skipped. */
  get skipped(): number {
    return this.skippedLines;
  }

  append(event: RunEvent): void {
    const from = this.log.length;
    if (!this.take(event)) return;
    for (const s of this.subscribers) s.appended(from);
  }

  appendAll(events: readonly RunEvent[]): void {
    const from = this.log.length;
    for (const e of events) this.take(e);
    if (this.log.length === from) return;
    for (const s of this.subscribers) s.appended(from);
  }

  /** Keep `e` if it fits the run; false when it was dropped. */
  private take(e: RunEvent): boolean {
    if (!fitsRun(e, this.run)) {
      this.skippedLines++;
      return false;
    }
    if (e.type === "run") this.run = e;
    this.log.push(e);
    return true;
  }

  noteSkipped(lines: number): void {
    this.skippedLines += lines;
  }

  /** Drop the history (the source started over), then tell subscribers. */
  reset(): void {
    this.log = [];
    this.skippedLines = 0;
    this.run = undefined;
    for (const s of this.subscribers) s.reset();
  }

  /** Follow the feed; returns the function that stops it. */
  subscribe(subscriber: FeedSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
}
