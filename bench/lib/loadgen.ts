/**
 * A load generator (a forked process, driven over IPC) over one keep-alive undici Agent.
 * Closed loop: `concurrency` clients each send their next request when the previous one is answered,
 * until the plan's events are sent or its time window ends.
 * Open loop: requests leave on a wall-clock schedule (`rate` per second) whether or not earlier
 * ones were answered, so a slow server cannot slow the arrivals down (no coordinated omission).
 *
 * The ceiling ('raw') posts with `undici.request`, as issue 5 defines it. Publishes go through
 * undici's lower-level `dispatch` instead, which costs about half the CPU per request: the load
 * generator shares the machine's two cores with what it measures, so the less it takes, the more
 * the figures say about the server rather than about the client.
 */
import { Agent, request } from 'undici';
import { deliveryBody, EVENT_TYPE, eventData, wallNow } from './payload.js';
import { type Answer, postWithDispatch } from './peer-http.js';
import { serveRpc } from './rpc.js';
import { type Summary, summarize } from './stats.js';

export type LoadKind =
  /** POST {event, data} to Herald's (or the peer's) single-event route; one event per request. */
  | 'single'
  /** POST {events: [...]} to a batch route; `batchSize` events per request. */
  | 'batch'
  /** POST the delivery body itself straight to the receiver: the ceiling, no storage anywhere. */
  | 'raw';

export interface LoadPlan {
  kind: LoadKind;
  url: string;
  headers?: Record<string, string>;
  /** Events to send (seqs seqStart … seqStart+events-1). */
  events: number;
  seqStart?: number;
  concurrency: number;
  batchSize?: number;
  /** Open loop: events per second (single/raw only). */
  rate?: number;
  /**
   * Closed loop: no request starts after this many seconds, so the run is a time window whatever
   * the server's speed; `events` then only bounds the seqs.
   */
  seconds?: number;
}

export interface LoadResult {
  /** Events sent: the plan's, or fewer when its `seconds` ran out first. */
  events: number;
  requests: number;
  /** Requests answered 2xx. */
  ok: number;
  /** Events the server refused (non-2xx answers, network errors, per-event errors in a batch answer). */
  failedEvents: number;
  statuses: Record<string, number>;
  errors: string[];
  startedAt: number;
  endedAt: number;
  /** Events sent and accepted per second, over the whole send phase. */
  eventsPerSec: number;
  responseMs: Summary;
  /** Open loop: how late the latest request left compared with its schedule. */
  maxLagMs: number;
}

function bodyFor(plan: LoadPlan, seq: number, count: number): string {
  const now = wallNow();
  if (plan.kind === 'raw') return deliveryBody(seq, now);
  if (plan.kind === 'single') return JSON.stringify({ event: EVENT_TYPE, data: eventData(seq, now) });
  const events = [];
  for (let i = 0; i < count; i++) events.push({ event: EVENT_TYPE, data: eventData(seq + i, now) });
  return JSON.stringify({ events });
}

/** POST with `undici.request`: what the ceiling is defined by. */
async function postWithRequest(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  const response = await request(url, { method: 'POST', dispatcher: agent, headers, body });
  return { statusCode: response.statusCode, body: await response.body.text() };
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ connections: plan.concurrency, keepAliveTimeout: 30_000, pipelining: 1 });
  const headers = { 'content-type': 'application/json', ...plan.headers };
  const parsed = new URL(plan.url);
  const target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  const post = (body: string): Promise<Answer> =>
    plan.kind === 'raw'
      ? postWithRequest(agent, plan.url, headers, body)
      : postWithDispatch(agent, target, headers, body);
  const perRequest = plan.kind === 'batch' ? (plan.batchSize ?? 1000) : 1;
  const first = plan.seqStart ?? 0;
  const end = first + plan.events;
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  const responseMs: number[] = [];
  let requests = 0;
  let ok = 0;
  let sentEvents = 0;
  let failedEvents = 0;
  let maxLagMs = 0;

  const note = (key: string, message?: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (message && errors.length < 5) errors.push(message);
  };

  async function sendOne(seq: number): Promise<void> {
    const count = Math.min(perRequest, end - seq);
    const started = wallNow();
    requests += 1;
    sentEvents += count;
    try {
      const response = await post(bodyFor(plan, seq, count));
      const text = response.body;
      responseMs.push(wallNow() - started);
      note(String(response.statusCode));
      if (response.statusCode >= 200 && response.statusCode < 300) {
        ok += 1;
        if (plan.kind === 'batch') {
          const answer = JSON.parse(text) as { data?: { error?: { code: string; message: string } }[] };
          for (const item of answer.data ?? []) {
            if (item.error) {
              failedEvents += 1;
              note(item.error.code, `${item.error.code}: ${item.error.message}`);
            }
          }
        }
      } else {
        failedEvents += count;
        if (errors.length < 5) errors.push(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
      }
    } catch (error) {
      failedEvents += count;
      note('network', error instanceof Error ? error.message : String(error));
    }
  }

  const startedAt = wallNow();
  if (plan.rate) {
    const rate = plan.rate;
    const inFlight = new Set<Promise<void>>();
    let next = first;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = wallNow();
        const due = Math.min(end, first + Math.floor(((now - startedAt) * rate) / 1000) + 1);
        if (due > next) maxLagMs = Math.max(maxLagMs, now - (startedAt + ((due - 1 - first) * 1000) / rate));
        while (next < due) {
          const sending = sendOne(next);
          inFlight.add(sending);
          void sending.finally(() => inFlight.delete(sending));
          next += 1;
        }
        if (next >= end) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(inFlight);
  } else {
    let next = first;
    const stopAt = plan.seconds === undefined ? Number.POSITIVE_INFINITY : startedAt + plan.seconds * 1000;
    const client = async () => {
      while (next < end && wallNow() < stopAt) {
        const seq = next;
        next += perRequest;
        await sendOne(seq);
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, client));
  }
  const endedAt = wallNow();
  await agent.close();
  return {
    events: sentEvents,
    requests,
    ok,
    failedEvents,
    statuses,
    errors,
    startedAt,
    endedAt,
    eventsPerSec: ((sentEvents - failedEvents) / (endedAt - startedAt)) * 1000,
    responseMs: summarize(responseMs),
    maxLagMs,
  };
}

serveRpc({ run });
