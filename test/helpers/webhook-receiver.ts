/**
 * An Alertmanager webhook receiver for end-to-end tests: a node:http server on 127.0.0.1
 * (random port) that takes `POST /alerts` with Alertmanager's webhook JSON (version "4"),
 * keeps every payload in memory and answers 200. Bodies over 1 MiB get 413, bodies that are not
 * a webhook payload get 400 (and are listed by `rejected()`, so a wrong config shows up in the
 * timeout message instead of as silence).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { track, waitFor, type Stoppable } from './processes.js';

export type AlertStatus = 'firing' | 'resolved';

/** One alert in a webhook payload (Alertmanager 0.25, version "4"). */
export interface AlertmanagerWebhookAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook body (version "4"). */
export interface AlertmanagerWebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerWebhookAlert[];
}

export interface WaitForAlertOptions {
  /** Only look at payloads from this index on (e.g. `received().length` before an action). */
  since?: number;
}

export interface WebhookReceiver extends Stoppable {
  /** `http://127.0.0.1:<port>/alerts`: the `webhook_configs` url. */
  readonly url: string;
  readonly port: number;
  /** Every accepted payload, oldest first (a copy). */
  received(): AlertmanagerWebhookPayload[];
  /** Why requests were refused (wrong path or method, bad JSON, not a webhook payload). */
  rejected(): string[];
  /** The Authorization header of each accepted payload, in the same order. */
  authorizations(): (string | undefined)[];
  /** Resolves with the first alert named `alertname` in `status`; bounded by `timeoutMs`. */
  waitForAlert(
    alertname: string,
    status: AlertStatus,
    timeoutMs: number,
    options?: WaitForAlertOptions,
  ): Promise<AlertmanagerWebhookAlert>;
  /** Forgets what was received. */
  clear(): void;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
const path = '/alerts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}

function isStatus(value: unknown): value is AlertStatus {
  return value === 'firing' || value === 'resolved';
}

/** Checks the fields tests rely on; returns why it is not a payload, or undefined. */
function payloadProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'body is not a JSON object';
  if (value.version !== '4') return `version is ${JSON.stringify(value.version)}, expected "4"`;
  if (!isStatus(value.status)) return 'status is not firing|resolved';
  if (typeof value.receiver !== 'string') return 'receiver is not a string';
  for (const field of ['groupLabels', 'commonLabels'] as const) {
    if (!isStringRecord(value[field])) return `${field} is not a string map`;
  }
  if (!Array.isArray(value.alerts)) return 'alerts is not an array';
  for (const [index, alert] of (value.alerts as unknown[]).entries()) {
    if (!isRecord(alert)) return `alerts[${index}] is not an object`;
    if (!isStatus(alert.status)) return `alerts[${index}].status is not firing|resolved`;
    if (!isStringRecord(alert.labels)) return `alerts[${index}].labels is not a string map`;
    if (!isStringRecord(alert.annotations)) {
      return `alerts[${index}].annotations is not a string map`;
    }
    if (typeof alert.startsAt !== 'string') return `alerts[${index}].startsAt is not a string`;
  }
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining (without storing) so the 413 can still be written on this socket.
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const payloads: AlertmanagerWebhookPayload[] = [];
  const authorizationHeaders: (string | undefined)[] = [];
  const refusals: string[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    const answer = (status: number, text: string, refusal?: string) => {
      if (refusal !== undefined) refusals.push(refusal);
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${text}\n`);
    };
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname !== path) {
      answer(404, 'not found', `${request.method ?? '?'} ${pathname}: unknown path`);
      request.resume();
      return;
    }
    if (request.method !== 'POST') {
      answer(405, 'method not allowed', `${request.method ?? '?'} ${pathname}: not POST`);
      request.resume();
      return;
    }
    readBody(request).then(
      (body) => {
        if (body === undefined) {
          answer(413, 'body too large', `body over ${maxBodyBytes} bytes`);
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          answer(400, 'invalid JSON', `invalid JSON: ${body.slice(0, 200)}`);
          return;
        }
        const problem = payloadProblem(json);
        if (problem !== undefined) {
          answer(400, problem, problem);
          return;
        }
        payloads.push(json as AlertmanagerWebhookPayload);
        authorizationHeaders.push(request.headers.authorization);
        answer(200, 'ok');
      },
      (error: unknown) => {
        answer(400, 'cannot read body', `cannot read body: ${String(error)}`);
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    }));

  const summary = (from: number): string => {
    const seen = payloads
      .slice(from)
      .flatMap((payload) =>
        payload.alerts.map((alert) => `${alert.labels.alertname ?? '?'}=${alert.status}`),
      );
    const refused = refusals.length > 0 ? `; refused: ${refusals.slice(-3).join(' | ')}` : '';
    return `received ${seen.length > 0 ? seen.join(', ') : 'no alerts'}${refused}`;
  };

  const receiver: WebhookReceiver = {
    name: 'webhook receiver',
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received: () => [...payloads],
    rejected: () => [...refusals],
    authorizations: () => [...authorizationHeaders],
    async waitForAlert(alertname, status, timeoutMs, options = {}) {
      const since = options.since ?? 0;
      return waitFor(
        `alert ${alertname} ${status} at the webhook receiver`,
        () => {
          for (const payload of payloads.slice(since)) {
            const alert = payload.alerts.find(
              (candidate) =>
                candidate.labels.alertname === alertname && candidate.status === status,
            );
            if (alert) return Promise.resolve(alert);
          }
          return Promise.reject(new Error(summary(since)));
        },
        { timeoutMs, intervalMs: 200 },
      );
    },
    clear() {
      payloads.length = 0;
      authorizationHeaders.length = 0;
      refusals.length = 0;
    },
    close,
    stop: close,
  };
  return track(receiver);
}
