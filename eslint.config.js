// One linter for the project: typescript-eslint's type-checked rules on src and test, and the
// layering of src/ (engines never import a stage; no import cycles) checked by
// eslint-plugin-import-x with the TypeScript resolver.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The stages, in the order data flows through them, and the engines they share (docs/design.md).
const stages = ['config', 'stack', 'render', 'validate', 'publish', 'cli'];
const engines = ['kustomize', 'prometheus', 'grafana'];
const forbid = (folders, message) =>
  folders.map((folder) => ({ group: [`**/${folder}/*`, `**/${folder}/**`], message }));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'base/',
      'overlays/',
      'test/fixtures/',
      'coverage/',
      'generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // JavaScript files (bin/, bench/, scripts/) are linted without types: see below.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // An engine reads and checks one kind of material for any stage: it imports no stage.
  ...engines.map((engine) => ({
    files: [`src/${engine}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(
            stages,
            `src/${engine}/ is an engine: it must not import a stage (docs/design.md)`,
          ),
        },
      ],
    },
  })),
  // Shared modules at the top of src/ (errors, findings, YAML helpers) import no folder at all.
  {
    files: ['src/*.ts'],
    ignores: ['src/index.ts', 'src/precompiled.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbid(
            [...stages, ...engines],
            'a shared module of src/ must not import a stage or an engine',
          ),
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        structuredClone: 'readonly',
      },
    },
  },
);
