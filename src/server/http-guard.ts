import type { IncomingMessage } from 'node:http';

/**
 * The dashboard's request guards. It listens on 127.0.0.1 only, and that alone is not enough: a
 * web page elsewhere can make the browser send requests to 127.0.0.1, and a DNS name rebound to
 * 127.0.0.1 makes them look same-origin. So a request must name us in its Host header
 * (127.0.0.1:<port> or localhost:<port>), and the one request that changes anything (POST of a
 * backtest) must be JSON, which a foreign page cannot send without a CORS preflight we never
 * answer, and must come from our own origin when the browser says where it came from.
 */

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Why a state-changing request is refused, or undefined when it may go on. */
export function postRefusal(req: IncomingMessage, port: number): string | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return `expected Content-Type: application/json, got "${type}"`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return `requests from ${origin} are not accepted`;
  return undefined;
}

/** The request body as JSON, at most `maxBytes`; throws a plain Error with the reason. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBytes) throw new Error(`the request body is larger than ${maxBytes} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Error('the request body is not JSON');
  }
}
