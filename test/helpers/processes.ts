/**
 * Real binaries (Prometheus, Alertmanager) as child processes for end-to-end tests, plus the
 * pieces around them: free ports, bounded polling (`waitFor`) and one registry of everything a
 * test started, so a file can `afterAll(stopAll)`.
 *
 * - Each binary runs in its own process group (`detached: true`), so `stop()` signals the whole
 *   group: SIGTERM, up to 5 s, then SIGKILL.
 * - stdout and stderr go into one bounded buffer (the last 64 KiB), quoted in every error.
 * - A missing binary rejects with the Debian package to install: tests fail, they never skip.
 * - If the test process exits without `stopAll` (vitest killed a worker, a crash), an `exit`
 *   hook SIGKILLs the process groups still alive. A SIGKILL of the test process itself cannot be
 *   caught, so `stopAll` in `afterAll` remains the real cleanup.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Anything `stopAll` stops: processes, fake exporters, the webhook receiver. */
export interface Stoppable {
  readonly name: string;
  /** Idempotent. */
  stop(): Promise<void>;
}

export interface RunningProcess extends Stoppable {
  readonly pid: number;
  /** The last ~64 KiB of stdout and stderr, interleaved as received. */
  output(): string;
  /** How the process ended; `undefined` while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM to the process group, up to 5 s, then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  /** Polled every 100 ms until it answers 200. */
  readyUrl: string;
  /** Used in error messages. */
  name: string;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Added to this process' environment. */
  env?: Record<string, string>;
}

export interface WaitForOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Pause between probes; default 100 ms. */
  intervalMs?: number;
}

const outputLimit = 64 * 1024;
const stopGraceMs = 5_000;
const pollIntervalMs = 100;

/** Which Debian package ships a binary, by file name. */
const debianPackages: Record<string, string> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  alertmanager: 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
};

// Shared per OS process (not per module instance): vitest may load this module once per test
// file in the same worker, and the exit hook must be installed once and see every group.
interface ProcessState {
  liveGroups: Set<number>;
  exitHookInstalled: boolean;
}
const stateKey = Symbol.for('gitops-gen.test.processes');
const globalState = globalThis as typeof globalThis & { [stateKey]?: ProcessState };
const shared: ProcessState = (globalState[stateKey] ??= {
  liveGroups: new Set<number>(),
  exitHookInstalled: false,
});
if (!shared.exitHookInstalled) {
  shared.exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of shared.liveGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

const tracked = new Set<Stoppable>();

/** Registers `resource` for `stopAll`; returns it. */
export function track<T extends Stoppable>(resource: T): T {
  tracked.add(resource);
  return resource;
}

/** Stops every process and server started through these helpers (in parallel). */
export async function stopAll(): Promise<void> {
  const resources = [...tracked];
  tracked.clear();
  const results = await Promise.allSettled(resources.map((resource) => resource.stop()));
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected'
      ? [`${resources[index]?.name ?? '?'}: ${describe(result.reason)}`]
      : [],
  );
  if (failures.length > 0) throw new Error(`stopAll: ${failures.join('; ')}`);
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

function describe(value: unknown): string {
  let text: string;
  if (value instanceof Error) text = value.message;
  else if (typeof value === 'string') text = value;
  else {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // BigInt or a cycle: fall back to the type below.
    }
    text = json ?? typeof value;
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

type Attempt<T> = { kind: 'value'; value: T | undefined } | { kind: 'timeout' };

/**
 * Calls `probe` until it returns something other than `undefined`. Errors from `probe` count as
 * "not yet" and are quoted if time runs out. A probe that hangs is cut off at the deadline too.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last = 'no probe finished';
  // Bounded by the deadline: each pass ends by it, however long the probe takes.
  while (Date.now() < deadline) {
    const timer = new AbortController();
    let attempt: Attempt<T>;
    try {
      attempt = await Promise.race([
        probe().then((value): Attempt<T> => ({ kind: 'value', value })),
        sleep(deadline - Date.now(), undefined, { signal: timer.signal }).then(
          (): Attempt<T> => ({ kind: 'timeout' }),
          (): Attempt<T> => ({ kind: 'timeout' }),
        ),
      ]);
      if (attempt.kind === 'value') last = describe(attempt.value);
    } catch (error) {
      attempt = { kind: 'value', value: undefined };
      last = describe(error);
    } finally {
      timer.abort();
    }
    if (attempt.kind === 'timeout') break;
    if (attempt.value !== undefined) return attempt.value;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last: ${last}`);
}

/**
 * Spawns `command` in its own process group and resolves once `readyUrl` answers 200. Rejects
 * (after killing the process) if it exits first or is not ready within `timeoutMs`.
 */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const { command, args, cwd, readyUrl, name } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const debianPackage = debianPackages[basename(command)];
  // spawn reports a missing cwd as ENOENT too, which would read as a missing binary.
  if (!existsSync(cwd)) throw new Error(`${name}: working directory ${cwd} does not exist`);

  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const append = (chunk: string) => {
    output += chunk;
    if (output.length > outputLimit) output = output.slice(-outputLimit);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);

  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: NodeJS.ErrnoException | undefined;
  const ended = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      if (child.pid !== undefined) shared.liveGroups.delete(child.pid);
      resolve();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only failures to spawn end the process here; a failed kill also emits 'error'.
      if (child.pid === undefined) {
        spawnError = error;
        resolve();
      }
    });
  });
  // 'close' comes after stdio is drained, so error messages quote the final lines.
  const drained = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  // Timers here are unref'd: they must not keep a finishing test worker alive.
  const waitDrained = () => Promise.race([drained, sleep(1_000, undefined, { ref: false })]);

  const pid = child.pid;
  if (pid === undefined) {
    await ended;
    const error = spawnError;
    if (error?.code === 'ENOENT') {
      const hint = debianPackage
        ? `install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`
        : 'install it or fix the path';
      throw new Error(`${name}: binary ${command} not found (ENOENT); ${hint}`);
    }
    throw new Error(`${name}: cannot start ${command}: ${describe(error)}`);
  }
  shared.liveGroups.add(pid);

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (status === undefined) {
        signalGroup('SIGTERM');
        const timer = new AbortController();
        const inTime = await Promise.race([
          ended.then(() => true),
          sleep(stopGraceMs, false, { signal: timer.signal }).catch(() => false),
        ]);
        timer.abort();
        if (!inTime) {
          signalGroup('SIGKILL');
          await Promise.race([ended, sleep(stopGraceMs, undefined, { ref: false })]);
        }
      }
      await waitDrained();
    })());

  const running: RunningProcess = {
    name,
    pid,
    output: () => output,
    exitStatus: () => status,
    stop,
  };
  // Tracked from the start, so `stopAll` also ends a process a timed-out test left starting.
  track(running);

  const failure = (reason: string): Error =>
    new Error(`${name} (${command}) ${reason}; last output:\n${output.slice(-8 * 1024)}`);
  const deadline = Date.now() + timeoutMs;
  let lastProbe = 'no answer yet';
  // Bounded by the deadline; each pass waits up to 100 ms (less if the process exits).
  while (Date.now() < deadline) {
    if (status !== undefined) {
      await waitDrained();
      throw failure(
        `exited before ${readyUrl} answered 200 (exit code ${String(status.code)}, signal ${String(status.signal)})`,
      );
    }
    try {
      const response = await fetch(readyUrl, {
        signal: AbortSignal.timeout(Math.max(1, Math.min(2_000, deadline - Date.now()))),
      });
      const body = await response.text();
      if (response.status === 200) return running;
      lastProbe = `HTTP ${response.status} ${body.slice(0, 200)}`;
    } catch (error) {
      lastProbe = describe(error);
    }
    const timer = new AbortController();
    await Promise.race([
      ended,
      sleep(pollIntervalMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
  }
  await stop();
  throw failure(
    `was not ready at ${readyUrl} within ${timeoutMs}ms (last probe: ${lastProbe}; exit code ${String(status?.code)})`,
  );
}
