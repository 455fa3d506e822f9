/**
 * Where a GitHub repository lives: `parseGitHubRemote` turns a git remote URL into owner, repo
 * and API URL (github.com, GitHub Enterprise Server, GitHub Enterprise Cloud with data
 * residency); `webUrlForApi` and `compareUrl` give the web pages that go with an API root.
 *
 * Pure string work: no network, no token, no Octokit.
 */
export interface GitHubRemote {
  owner: string;
  repo: string;
  /** `github.com`, or the Enterprise host (with its port for an http(s) remote). */
  host: string;
  /** REST API root: `https://api.github.com`, `https://<host>/api/v3`, `https://api.<x>.ghe.com`. */
  apiUrl: string;
}

const githubDotCom = new Set(['github.com', 'www.github.com', 'ssh.github.com']);
/** Hosts (and host-name labels) of other forges: never GitHub. */
const otherForges = [
  /(^|\.)gitlab\./,
  /(^|\.)bitbucket\./,
  /(^|\.)gitea\./,
  /(^|\.)forgejo\./,
  /(^|\.)codeberg\.org$/,
  /(^|\.)sr\.ht$/,
  /(^|\.)gitee\.com$/,
  /(^|\.)dev\.azure\.com$/,
  /(^|\.)visualstudio\.com$/,
  /(^|\.)amazonaws\.com$/,
  /(^|\.)googlesource\.com$/,
  /(^|\.)sourceforge\.net$/,
  /(^|\.)pagure\.io$/,
  /^source\.developers\.google\.com$/,
];
const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;
const repoPattern = /^[A-Za-z0-9._-]+$/;

/**
 * Owner, repository and API URL of a GitHub remote: `https://github.com/o/r(.git)`,
 * `git@github.com:o/r.git`, `ssh://git@host/o/r.git`, GitHub Enterprise Server hosts (API at
 * `https://<host>/api/v3`) and GitHub Enterprise Cloud with data residency (`<x>.ghe.com`, API at
 * `https://api.<x>.ghe.com`). Undefined for local paths, `file://` URLs, other forges and paths
 * that are not exactly `owner/repo`.
 */
export function parseGitHubRemote(url: string): GitHubRemote | undefined {
  const text = url.trim();
  let hostname: string;
  /** Host and port as they go into an http(s) URL (brackets kept for IPv6). */
  let webHost: string;
  let path: string;
  let web: 'https' | 'http' = 'https';
  let sshLike = true;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!['https', 'http', 'ssh', 'git+ssh', 'ssh+git', 'git'].includes(scheme)) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    hostname = parsed.hostname.toLowerCase();
    webHost = hostname;
    try {
      path = decodeURIComponent(parsed.pathname);
    } catch {
      return undefined;
    }
    if (scheme === 'http' || scheme === 'https') {
      web = scheme;
      webHost = parsed.host.toLowerCase();
      sshLike = false;
    }
  } else {
    // scp-like syntax: [user@]host:owner/repo(.git)
    const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/)(.+)$/.exec(text);
    if (!scp?.[1] || !scp[2]) return undefined;
    hostname = scp[1].toLowerCase();
    webHost = hostname;
    path = scp[2];
  }
  // A dotless ssh host is usually an alias from ~/.ssh/config (`github-work:o/r.git`): the real
  // host is unknown, so the API URL would be a guess.
  if (!hostname || (sshLike && !hostname.includes('.') && hostname !== 'localhost')) {
    return undefined;
  }
  if (otherForges.some((pattern) => pattern.test(hostname))) return undefined;
  const segments = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (segments.length !== 2) return undefined;
  const [owner, repo] = segments as [string, string];
  if (!ownerPattern.test(owner) || !repoPattern.test(repo) || repo === '.' || repo === '..') {
    return undefined;
  }
  if (githubDotCom.has(hostname)) {
    return { owner, repo, host: 'github.com', apiUrl: 'https://api.github.com' };
  }
  const dataResidency = /^(?:api\.)?([a-z0-9-]+)\.ghe\.com$/.exec(hostname);
  if (dataResidency?.[1]) {
    const host = `${dataResidency[1]}.ghe.com`;
    return { owner, repo, host, apiUrl: `https://api.${host}` };
  }
  return { owner, repo, host: webHost, apiUrl: `${web}://${webHost}/api/v3` };
}

/** The web root that belongs to an API URL (`https://api.github.com` → `https://github.com`). */
export function webUrlForApi(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (parsed.hostname === 'api.github.com') return 'https://github.com';
  const residency = /^api\.([a-z0-9-]+\.ghe\.com)$/.exec(parsed.hostname);
  if (residency?.[1]) return `${parsed.protocol}//${residency[1]}`;
  return `${parsed.origin}${parsed.pathname.replace(/\/api\/v3$/, '').replace(/\/+$/, '')}`;
}

/** The "open a pull request by hand" page: `<web>/<o>/<r>/compare/<base>...<head>?expand=1`. */
export function compareUrl(
  webUrl: string,
  owner: string,
  repo: string,
  base: string,
  head: string,
): string {
  return `${webUrl.replace(/\/+$/, '')}/${owner}/${repo}/compare/${encodeURI(base)}...${encodeURI(head)}?expand=1`;
}
