/**
 * The parts of the environment file's JSON Schema that say where its tree goes: `publish` (the
 * GitOps repository, branch, folder and mode) and `delivery` (how Argo CD or Flux syncs the
 * overlay). Kept apart from schema.ts only for size; schema.ts assembles the whole.
 */

const duration = { type: 'string', format: 'duration' } as const;

/** `publish`: where `gitops-gen publish` writes this environment. */
export const publishSchema = {
  type: 'object',
  description: 'Where `gitops-gen publish` writes this environment.',
  additionalProperties: false,
  properties: {
    repo: {
      type: 'string',
      format: 'git-remote',
      description:
        'The GitOps repository: an https:// or ssh:// URL, git@host:org/repo.git, or a local path.',
    },
    branch: {
      type: 'string',
      format: 'git-branch',
      description: 'The base branch that controllers sync from; default main.',
    },
    path: {
      type: 'string',
      format: 'repo-path',
      description:
        'Folder of the tree (base/, overlays/, ...) inside the repository; default its root.',
    },
    mode: {
      type: 'string',
      enum: ['commit', 'pr'],
      description:
        'Commit straight to the branch (dev tier default) or open a pull request (default otherwise).',
    },
  },
} as const;

/** `delivery`: how a GitOps controller syncs this environment. */
export const deliverySchema = {
  type: 'object',
  description: 'How a GitOps controller syncs this environment from the repository.',
  additionalProperties: false,
  properties: {
    controller: {
      type: 'string',
      enum: ['argocd', 'flux'],
      description: 'Argo CD (default) or Flux.',
    },
    repoURL: {
      type: 'string',
      format: 'git-remote',
      description: 'Repository URL the controller clones; default publish.repo.',
    },
    targetRevision: {
      type: 'string',
      minLength: 1,
      description: 'Branch, tag or commit to sync; default publish.branch.',
    },
    path: {
      type: 'string',
      format: 'repo-path',
      description:
        "Folder of this environment's overlay in the repository; default <publish.path>/overlays/<name>.",
    },
    cluster: {
      type: 'object',
      description:
        'The destination cluster: its API server URL or, for Argo CD, its registered name. Default: the cluster the controller runs in.',
      additionalProperties: false,
      properties: {
        server: { type: 'string', format: 'https-url', description: 'API server URL.' },
        name: {
          type: 'string',
          format: 'dns-label',
          description: 'Cluster name (Argo CD) or cluster folder (Flux: clusters/<name>/).',
        },
      },
    },
    automated: {
      type: 'boolean',
      description:
        'Sync every change automatically, with prune and self-heal (Argo CD). Default: true for dev and staging, false for prod, where changes arrive by reviewed pull request.',
    },
    argocd: {
      type: 'object',
      description: 'Argo CD settings.',
      additionalProperties: false,
      properties: {
        namespace: {
          type: 'string',
          format: 'dns-label',
          description: "Argo CD's namespace; default argocd.",
        },
        project: {
          type: 'string',
          format: 'dns-label',
          description: 'AppProject name; default mlflow-monitoring.',
        },
        generator: {
          type: 'string',
          enum: ['none', 'list', 'git-directory'],
          description:
            'One Application per environment (none, default), or one ApplicationSet with a list or git-directory generator. All Argo CD environments must agree.',
        },
      },
    },
    flux: {
      type: 'object',
      description: 'Flux settings.',
      additionalProperties: false,
      properties: {
        namespace: {
          type: 'string',
          format: 'dns-label',
          description: "Flux's namespace; default flux-system.",
        },
        interval: {
          ...duration,
          description: 'How often the Kustomization reconciles; default 10m.',
        },
        sourceInterval: {
          ...duration,
          description: 'How often the GitRepository is fetched; default 1m.',
        },
        timeout: {
          ...duration,
          description: 'How long a reconciliation may take; default 5m.',
        },
        wait: {
          type: 'boolean',
          description:
            'Wait for every object to be ready (otherwise: health checks on Prometheus and Grafana); default false.',
        },
        secretRef: {
          type: 'string',
          format: 'dns-label',
          description: 'Secret with the Git credentials of a private repository.',
        },
        dependsOn: {
          type: 'array',
          items: { type: 'string', format: 'dns-label' },
          description: 'Environments (in the same cluster) that must be ready first.',
        },
        sopsSecret: {
          type: 'string',
          format: 'dns-label',
          description: 'Secret with the SOPS key, when the overlay keeps SOPS-encrypted secrets.',
        },
      },
    },
  },
} as const;
