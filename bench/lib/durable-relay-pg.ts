/**
 * The minimal durable relay on PostgreSQL, laid out as Herald's PostgreSQL scenario is: one API
 * process and N worker processes. The API commits every publish that arrived while the previous
 * commit was under way in one statement (events, deliveries and a NOTIFY) and answers 202 once it
 * is committed; each worker claims up to 64 deliveries at a time with SKIP LOCKED, signs and POSTs
 * them with undici's `dispatch` (64 in flight), and writes their outcomes back, one statement per
 * batch. Prepared statements throughout. No authentication, validation, framework, retries or
 * history: a reference for what the PostgreSQL figures could reach on this machine.
 */
import pg from 'pg';
import { Agent } from 'undici';
import { CLAIM, PUBLISH, RECORD, SCHEMA } from './durable-relay-pg-sql.js';
import {
  batchWhileBusy,
  envelope,
  type JsonServer,
  listenJson,
  postWithDispatch,
  signedHeaders,
} from './peer-http.js';
import { serveRpc } from './rpc.js';

/** As many requests in flight per worker as Herald allows one webhook by default. */
const IN_FLIGHT = 64;

let client: pg.Client | null = null;
let server: JsonServer | null = null;
let agent: Agent | null = null;
/** Statements cut short by close() fail; that is not worth a line on stderr. */
let closing = false;

function report(error: unknown): void {
  if (!closing) process.stderr.write(`relay worker: ${error}\n`);
}

async function connect(database: string): Promise<pg.Client> {
  const connected = new pg.Client({ connectionString: database });
  await connected.connect();
  client = connected;
  return connected;
}

/** The API process: creates the schema, then takes publishes on `port`. */
async function startApi(options: { database: string; port: number }): Promise<void> {
  const db = await connect(options.database);
  await db.query(SCHEMA);
  const publish = batchWhileBusy((bodies: string[]) => db.query({ ...PUBLISH, values: [bodies] }));
  server = await listenJson(options.port, async (_url, body) => {
    await publish(envelope(body.event, body.data));
    return { statusCode: 202, body: { event: body.event, deliveries: 1 } };
  });
}

/** A worker process: claims, sends and records until closed. */
async function startWorker(options: { database: string; targetUrl: string }): Promise<void> {
  const db = await connect(options.database);
  const url = new URL(options.targetUrl);
  const target = { origin: url.origin, path: url.pathname };
  const sender = new Agent({ connections: IN_FLIGHT, keepAliveTimeout: 4_000 });
  agent = sender;
  let inFlight = 0;
  let claiming = false;
  /** Work was announced while a claim was under way, after its snapshot perhaps: claim once more. */
  let claimAgain = false;
  let recording = false;
  let outcomes: { id: string; status: number }[] = [];

  const record = (): void => {
    if (recording || outcomes.length === 0) return;
    recording = true;
    const batch = outcomes;
    outcomes = [];
    const values = [batch.map((outcome) => outcome.id), batch.map((outcome) => outcome.status)];
    void db
      .query({ ...RECORD, values })
      .catch(report)
      .finally(() => {
        recording = false;
        inFlight -= batch.length;
        record();
        claim();
      });
  };

  // Refilled at half a round, as Herald's lanes are; one claim at a time.
  const claim = (): void => {
    if (claiming) {
      claimAgain = true;
      return;
    }
    if (inFlight > IN_FLIGHT / 2) return;
    claiming = true;
    claimAgain = false;
    void db
      .query<{ id: string; payload: string }>({ ...CLAIM, values: [IN_FLIGHT - inFlight] })
      .then(({ rows }) => {
        inFlight += rows.length;
        for (const { id, payload } of rows) {
          postWithDispatch(sender, target, signedHeaders(`evt_${id}`, payload), payload)
            .then(
              (answer) => outcomes.push({ id, status: answer.statusCode }),
              () => outcomes.push({ id, status: 0 }),
            )
            .finally(() => setImmediate(record));
        }
        claiming = false;
        if (rows.length > 0 || claimAgain) claim();
      })
      .catch((error: unknown) => {
        claiming = false;
        report(error);
      });
  };

  db.on('notification', claim);
  await db.query('LISTEN relay_queued');
  claim();
}

async function close(): Promise<void> {
  closing = true;
  await server?.close();
  await client?.end();
  await agent?.close();
}

serveRpc({ startApi, startWorker, close });
