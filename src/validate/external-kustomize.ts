/**
 * The external `kustomize build`: the validate stage's one edge that starts kubectl (or a
 * standalone kustomize) for a kustomization whose features the in-process engine does not
 * implement (vars, helmCharts, transformers, ...). Behind the small `ExternalKustomize` port so
 * that tests fake it; `processKustomize()` is the real one: PATH lookup (no shell), offline (every
 * proxy variable points at a closed port, so a remote base fails instead of being fetched), a
 * bounded time and a bounded output size. The kustomize engine itself stays pure.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type ExternalBuild =
  { ok: true; stdout: string; tool: string } | { ok: false; reason: string; hint: string };

/** Builds one kustomization folder with an external tool. */
export interface ExternalKustomize {
  /** The tool that would run (`kubectl kustomize`, `kustomize build`), or undefined. */
  readonly tool: string | undefined;
  build(directory: string, options: { enableHelm: boolean }): Promise<ExternalBuild>;
}

export interface ProcessKustomizeOptions {
  /** PATH to search (default: the process's). */
  path?: string;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export const installHint =
  'install kubectl (it carries kustomize) or a standalone kustomize, so that gitops-gen builds it with that, or drop the unsupported feature';

/** The executable `name` in one of the PATH folders, or undefined. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const folder of (path ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Proxy variables that keep kustomize (and git, and helm) off the network. */
const offline = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  ALL_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '',
  no_proxy: '',
  GIT_TERMINAL_PROMPT: '0',
};

/**
 * kubectl's error in one line: klog's `err="..."` or multi-line `err=<` block, or else the last
 * lines of its error output.
 */
export function errorText(stderr: string): string {
  const quoted = /\berr="((?:[^"\\]|\\.)*)"/.exec(stderr);
  const block = /\berr=<\n((?:\t.*\n?)*)/.exec(stderr);
  let text: string;
  if (quoted?.[1] !== undefined) {
    try {
      text = JSON.parse(`"${quoted[1]}"`) as string;
    } catch {
      text = quoted[1];
    }
  } else if (block?.[1] !== undefined) {
    text = block[1];
  } else {
    text = stderr.split('\n').slice(-4).join('\n');
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 400);
}

/** The real port: kubectl kustomize (or kustomize build) found on PATH. */
export function processKustomize(options: ProcessKustomizeOptions = {}): ExternalKustomize {
  const path = options.path ?? process.env.PATH;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBuffer = options.maxOutputBytes ?? 64 * 2 ** 20;
  const kubectl = findOnPath('kubectl', path);
  const kustomize = kubectl ? undefined : findOnPath('kustomize', path);
  const helm = findOnPath('helm', path);
  const tool = kubectl ? 'kubectl kustomize' : kustomize ? 'kustomize build' : undefined;
  return {
    tool,
    build(directory, { enableHelm }) {
      const executable = kubectl ?? kustomize;
      if (!executable || !tool) {
        return Promise.resolve({
          ok: false,
          reason: 'neither kubectl nor kustomize is on PATH',
          hint: installHint,
        });
      }
      if (enableHelm && !helm) {
        return Promise.resolve({
          ok: false,
          reason: '--enable-helm was given but helm is not on PATH',
          hint: 'install helm, or drop --enable-helm',
        });
      }
      const args = [
        ...(kubectl ? ['kustomize'] : ['build']),
        directory,
        ...(enableHelm && helm ? ['--enable-helm', '--helm-command', helm] : []),
      ];
      return new Promise((resolve) => {
        execFile(
          executable,
          args,
          {
            timeout: timeoutMs,
            maxBuffer,
            encoding: 'utf8',
            shell: false,
            windowsHide: true,
            env: { ...process.env, ...offline },
          },
          (error, stdout, stderr) => {
            if (!error) {
              resolve({ ok: true, stdout, tool });
              return;
            }
            const reason =
              error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
                ? `${tool} printed more than ${String(maxBuffer)} bytes`
                : error.killed || error.signal
                  ? `${tool} did not finish within ${String(timeoutMs / 1000)} s`
                  : `${tool} failed: ${errorText(stderr) || error.message}`;
            resolve({
              ok: false,
              reason,
              hint: /--enable-helm/.test(stderr)
                ? 'pass --enable-helm (helm must be on PATH) to build helmCharts'
                : `fix the kustomization so that \`${tool}\` builds it`,
            });
          },
        );
      });
    },
  };
}
