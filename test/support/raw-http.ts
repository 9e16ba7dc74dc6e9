import { connect } from 'node:net';

export interface RawAnswer {
  /** The first answer's status, NaN when the server closed without one. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The status of every answer on the connection: a request may be read as several. */
  statuses: number[];
}

/**
 * Writes `request` as is to a Herald at `baseUrl` and reads what comes back until the server closes:
 * for requests no HTTP client would send (bad framing, oversized headers). The connection is ended
 * only when the server has said nothing for `quietMs`: ended at once, Node would drop requests still
 * being answered, and a request waiting for more body would never be finished.
 */
export function sendRawHttp(baseUrl: string, request: string | Buffer, quietMs = 150): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let quiet = setTimeout(() => socket.end(), quietMs);
    const giveUp = setTimeout(() => socket.destroy(new Error('no close within 10 s')), 10_000);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.end(), quietMs);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused after answering: what it sent still counts.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(quiet);
      clearTimeout(giveUp);
      resolve(parseAnswers(Buffer.concat(chunks).toString('utf8')));
    });
    socket.write(request);
  });
}

function parseAnswers(text: string): RawAnswer {
  const statuses = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((match) => Number(match[1]));
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, Math.max(headEnd, 0)).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? Number.NaN);
  const rest = text.slice(headEnd + 4);
  const body = Number.isNaN(length) ? rest : Buffer.from(rest).subarray(0, length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body, statuses };
}
