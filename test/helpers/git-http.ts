/**
 * A smart-HTTP git server for tests: `git http-backend` behind node:http on 127.0.0.1, which
 * answers 401 unless the request carries the expected basic credentials. Records the
 * Authorization header of every request.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`: repositories are below it by their path under `root`. */
  origin: string;
  /** Requests that were let in, and those refused for their credentials. */
  counts: { served: number; refused: number };
  close(): Promise<void>;
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** Runs one request through `git http-backend` (CGI): its header block, then its body. */
function serveCgi(root: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const length = header(request, 'content-length');
  const backend = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      // A REMOTE_USER enables receive-pack (push).
      REMOTE_USER: 'publisher',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: header(request, 'content-type'),
      ...(length ? { CONTENT_LENGTH: length } : {}),
      HTTP_CONTENT_ENCODING: header(request, 'content-encoding'),
      HTTP_GIT_PROTOCOL: header(request, 'git-protocol'),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  request.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const match = /\r?\n\r?\n/.exec(text);
    if (!match) return;
    started = true;
    let status = 200;
    for (const line of text.slice(0, match.index).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    response.write(head.subarray(match.index + match[0].length));
  });
  backend.stdout.on('end', () => {
    if (!started) response.writeHead(500);
    response.end();
  });
  backend.on('error', () => {
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });
}

/** Serves the repositories below `root`; every request must authenticate as `username:password`. */
export async function startGitHttpServer(
  root: string,
  username: string,
  password: string,
): Promise<GitHttpServer> {
  const expected = `${username}:${password}`;
  const counts = { served: 0, refused: 0 };
  const server = createServer((request, response) => {
    const match = /^basic\s+(\S+)$/i.exec(header(request, 'authorization'));
    const given = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : undefined;
    if (given !== expected) {
      counts.refused += 1;
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      response.end();
      return;
    }
    counts.served += 1;
    serveCgi(root, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${String(port)}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
