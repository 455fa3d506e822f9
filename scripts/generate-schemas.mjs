#!/usr/bin/env node
// Build step: generates the JSON Schemas that `gitops-gen validate` checks manifests against,
// from npm packages only (no hand-written schema):
//
// - generated/schemas/kubernetes.json: every built-in kind of the Kubernetes release that
//   @kubernetes/client-node was generated from. Property types come from each model's
//   `attributeTypeMap`, required properties from the model's .d.ts (no `?`), and
//   group/version/kind from the client's API request paths and their return types.
// - generated/schemas/crds.json: the CRDs of the @kubernetes-models/* packages, from their .d.ts
//   type declarations read with the TypeScript compiler API (their JS is never imported). They
//   are unpacked by scripts/fetch-schema-packages.mjs, which pins their versions.
//
// Both files: { source, [kubernetesVersion], definitions: { Name: draft-07 schema }, kinds:
// { "<apiVersion>/<Kind>": Name } }. Objects are strict (`additionalProperties: false`, marked
// `"x-gitops-gen-strict": true`) except maps and arbitrary values. Output is deterministic.
//
// Usage: node scripts/generate-schemas.mjs [OUTPUT_DIR]   (default: generated/schemas)
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Buffer } from 'node:buffer';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const started = performance.now();
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const outputDirectory = resolve(process.argv[2] ?? join(projectRoot, 'generated', 'schemas'));

const STRICT = 'x-gitops-gen-strict';
const CRD_PACKAGES = [
  '@kubernetes-models/argo-cd',
  '@kubernetes-models/external-secrets',
  '@kubernetes-models/flux-cd',
  '@kubernetes-models/prometheus-operator',
  '@kubernetes-models/sealed-secrets',
];

// ---------------------------------------------------------------------------------------------
// Small helpers

function fail(message) {
  throw new Error(`generate-schemas: ${message}`);
}

/**
 * The folder of a package: the unpacked schema packages first (scripts/fetch-schema-packages.mjs),
 * then installed ones, searched upwards from the project like Node does.
 */
function packageDirectory(name) {
  const unpacked = join(projectRoot, 'generated', 'schema-packages', 'node_modules', name);
  if (existsSync(join(unpacked, 'package.json'))) return unpacked;
  for (let directory = projectRoot; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(directory) === directory) break;
  }
  return fail(
    `package ${name} is not there (run npm ci, or node scripts/fetch-schema-packages.mjs)`,
  );
}

function packageVersion(directory) {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy with object keys sorted (arrays keep their order). */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const sorted = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

function strictObject(properties, required) {
  const schema = { type: 'object', properties, additionalProperties: false, [STRICT]: true };
  if (required.length > 0) schema.required = [...new Set(required)].sort();
  return schema;
}

const ref = (name) => ({ $ref: `#/definitions/${name}` });
const refName = (schema) => schema.$ref.slice('#/definitions/'.length);

const INT_OR_STRING = { type: ['integer', 'string'] };
// resource.Quantity: the API server reads both `1` and `"500m"`.
const QUANTITY = { type: ['number', 'string'] };
const DATE_TIME = { type: 'string', format: 'date-time' };

/** Calls `visit` with the name of every definition that `schema` references. */
function forEachReference(schema, visit) {
  if (typeof schema.$ref === 'string') visit(refName(schema));
  for (const property of Object.values(schema.properties ?? {})) forEachReference(property, visit);
  if (isPlainObject(schema.items)) forEachReference(schema.items, visit);
  if (isPlainObject(schema.additionalProperties))
    forEachReference(schema.additionalProperties, visit);
}

/** Adds `name` and every definition it references, from `from`, into `into`. */
function copyClosure(name, from, into) {
  const pending = [name];
  while (pending.length > 0) {
    const next = pending.pop();
    if (into[next] !== undefined) continue;
    const definition = from[next];
    if (definition === undefined) fail(`no definition ${next} to copy`);
    into[next] = definition;
    forEachReference(definition, (target) => pending.push(target));
  }
}

function checkReferences(bundleName, definitions) {
  for (const definition of Object.values(definitions)) {
    forEachReference(definition, (target) => {
      if (definitions[target] === undefined) fail(`${bundleName}: dangling reference to ${target}`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Quantity fields. @kubernetes/client-node types resource.Quantity as `string`, which would
// refuse `cpu: 1`; kubernetes-models (installed with the CRD packages) keeps the Quantity type.
// Returns Map<"group|Version|Name", Set<property>> for every property typed as a Quantity.

function quantityFields(kubernetesModelsDirectory) {
  const fields = new Map();
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '_schemas' && entry.name !== 'node_modules') walk(path);
        continue;
      }
      if (!entry.name.endsWith('.d.ts') || entry.name === 'index.d.ts') continue;
      const text = readFileSync(path, 'utf8');
      if (!text.includes('IIoK8sApimachineryPkgApiResourceQuantity')) continue;
      const parts = relative(kubernetesModelsDirectory, path).split(sep);
      const version = parts.at(-2);
      const group = parts.length === 3 ? parts[0] : '';
      const name = basename(entry.name, '.d.ts');
      // Only the interface: `export interface IName { ... }`.
      const body = text.slice(
        text.indexOf('export interface'),
        text.indexOf('export declare class'),
      );
      const properties = new Set();
      let current;
      for (const line of body.split('\n')) {
        const property = /^ {4}"([^"]+)"\??:/.exec(line);
        if (property) current = property[1];
        if (current && line.includes('IIoK8sApimachineryPkgApiResourceQuantity')) {
          properties.add(current);
        }
      }
      if (properties.size > 0) fields.set(`${group}|${version}|${name}`, properties);
    }
  };
  walk(kubernetesModelsDirectory);
  return fields;
}

const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** client-node's model name for a Go type: `V1Name`, or `GroupV1Name` where names clash. */
function clientNodeModelName(models, group, version, name) {
  const groupPrefix = capitalize((group === '' ? 'core' : group).split('.')[0]);
  for (const candidate of [
    `${groupPrefix}${capitalize(version)}${name}`,
    `${capitalize(version)}${name}`,
  ]) {
    if (models.has(candidate)) return candidate;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Built-in kinds from @kubernetes/client-node

async function kubernetesBundle() {
  const clientDirectory = packageDirectory('@kubernetes/client-node');
  const kubernetesModelsDirectory = packageDirectory('kubernetes-models');
  const modelsDirectory = join(clientDirectory, 'dist', 'gen', 'models');
  const apisDirectory = join(clientDirectory, 'dist', 'gen', 'apis');

  // Models: attributeTypeMap from the JS (imported file by file: the package root needs Node 22),
  // required properties from the .d.ts.
  // The package also ships stale files of older releases: only what models/all.js exports counts.
  const files = [
    ...readFileSync(join(modelsDirectory, 'all.js'), 'utf8').matchAll(
      /from '\.\.\/models\/(\w+\.js)'/g,
    ),
  ]
    .map((match) => match[1])
    .sort();
  if (files.length === 0) fail('models/all.js lists no model');
  const models = new Map();
  let releaseVersion;
  await Promise.all(
    files.map(async (file) => {
      const name = basename(file, '.js');
      const module = await import(pathToFileURL(join(modelsDirectory, file)).href);
      const model = module[name];
      if (!model || !Array.isArray(model.attributeTypeMap)) return;
      const declaration = readFileSync(join(modelsDirectory, `${name}.d.ts`), 'utf8');
      const version = /OpenAPI spec version: release-(\d+\.\d+)/.exec(declaration)?.[1];
      if (version === undefined) fail(`${name}.d.ts has no OpenAPI spec version`);
      if (releaseVersion !== undefined && releaseVersion !== version) {
        fail(`models disagree on the Kubernetes release: ${releaseVersion} and ${version}`);
      }
      releaseVersion = version;
      const requiredNames = new Set();
      const declared = new Set();
      for (const match of declaration.matchAll(/^ {4}'([^']+)'(\?)?:/gm)) {
        declared.add(match[1]);
        if (match[2] !== '?') requiredNames.add(match[1]);
      }
      for (const attribute of model.attributeTypeMap) {
        if (!declared.has(attribute.name)) fail(`${name}.d.ts does not declare ${attribute.name}`);
      }
      models.set(name, { attributes: model.attributeTypeMap, requiredNames });
    }),
  );

  const quantities = new Map();
  for (const [key, properties] of quantityFields(kubernetesModelsDirectory)) {
    const [group, version, name] = key.split('|');
    const model = clientNodeModelName(models, group, version, name);
    if (model === undefined) continue; // a type that Kubernetes has since removed
    const baseNames = new Set(models.get(model).attributes.map((attribute) => attribute.baseName));
    const present = [...properties].filter((property) => baseNames.has(property));
    if (present.length > 0) quantities.set(model, new Set(present));
  }
  if (!quantities.get('V1ResourceRequirements')?.has('limits')) {
    fail('found no Quantity fields: did kubernetes-models change its layout?');
  }

  const convert = (type, format, context) => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: convert(array[1], format, context) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      const values = convert(map[1], format, context);
      return Object.keys(values).length === 0
        ? { type: 'object' }
        : { type: 'object', additionalProperties: values };
    }
    switch (type) {
      case 'string':
        if (context.quantity) return QUANTITY;
        if (format === '') return { type: 'string' };
        if (format === 'byte') return { type: 'string', format: 'byte' };
        return fail(`${context.where}: string with format ${format}`);
      case 'number':
        if (format === 'int32' || format === 'int64') return { type: 'integer', format };
        if (format === 'double' || format === 'float' || format === '') return { type: 'number' };
        return fail(`${context.where}: number with format ${format}`);
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
      case 'V1MicroTime': // a Date subclass in the client's types.d.ts, format date-time-micro
        return DATE_TIME;
      case 'IntOrString':
        return INT_OR_STRING;
      case 'any':
        return {};
      default:
        if (models.has(type)) return ref(type);
        return fail(`${context.where}: unknown type ${type}`);
    }
  };

  const definitions = {};
  for (const [name, model] of models) {
    const properties = {};
    const required = [];
    const quantity = quantities.get(name);
    for (const attribute of model.attributes) {
      properties[attribute.baseName] = convert(attribute.type, attribute.format, {
        where: `${name}.${attribute.name}`,
        quantity: quantity?.has(attribute.baseName) === true,
      });
      if (model.requiredNames.has(attribute.name)) required.push(attribute.baseName);
    }
    definitions[name] = strictObject(properties, required);
  }

  // Group/version/kind: each non-subresource request path, with the model its operation returns.
  const pathPattern =
    /^\/(?:api\/(?<coreVersion>v1)|apis\/(?<group>[^/{}]+)\/(?<version>[^/{}]+))(?:\/namespaces\/\{namespace\})?\/(?<plural>[a-z0-9]+)(?<named>\/\{name\})?$/;
  const kinds = {};
  const kindModels = new Map(); // apiVersion/Kind -> model, for conflict checks
  const addKind = (apiVersion, kind, model, where) => {
    const key = `${apiVersion}/${kind}`;
    const known = kinds[key];
    if (known !== undefined && known !== model)
      fail(`${key} is both ${known} and ${model} (${where})`);
    kinds[key] = model;
    kindModels.set(key, model);
  };
  // Likewise only the APIs that the generated index exports (apis/ holds stale ones too).
  const apiFiles = [
    ...readFileSync(join(clientDirectory, 'dist', 'gen', 'index.js'), 'utf8').matchAll(
      /\bObject\w+Api as (\w+Api)\b/g,
    ),
  ]
    .map((match) => `${match[1]}.js`)
    .sort();
  if (apiFiles.length === 0) fail('gen/index.js exports no API');
  for (const file of apiFiles) {
    const code = readFileSync(join(apisDirectory, file), 'utf8');
    const typings = readFileSync(join(apisDirectory, file.replace(/\.js$/, '.d.ts')), 'utf8');
    const returns = new Map();
    for (const match of typings.matchAll(
      /(\w+)WithHttpInfo\(response: ResponseContext\): Promise<HttpInfo<(\w+)>>/g,
    )) {
      returns.set(match[1], match[2]);
    }
    for (const chunk of code.split(/\n {4}async /).slice(1)) {
      const operation = /^(\w+)\(/.exec(chunk)?.[1];
      const path = /const localVarPath = '([^']+)'/.exec(chunk)?.[1];
      const method = /makeRequestContext\(localVarPath, HttpMethod\.(\w+)\)/.exec(chunk)?.[1];
      if (operation === undefined || path === undefined || method === undefined) continue;
      const match = pathPattern.exec(path);
      if (!match) continue; // a subresource, a watch, discovery
      const { coreVersion, group, version, named } = match.groups;
      const apiVersion = coreVersion ?? `${group}/${version}`;
      // GET .../{name} and POST to the collection return the kind, GET of the collection its List.
      if (!(
        (method === 'GET' && named) ||
        (method === 'POST' && !named) ||
        (method === 'GET' && !named)
      ))
        continue;
      const model = returns.get(operation);
      if (model === undefined) fail(`${file}: no return type for ${operation}`);
      const definition = definitions[model];
      if (definition === undefined) fail(`${file}: ${operation} returns unknown model ${model}`);
      if (definition.properties.kind === undefined) continue;
      const kind = /^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])(.+)$/.exec(model)?.[1];
      if (kind === undefined) fail(`cannot read a kind from model ${model}`);
      const isList = method === 'GET' && !named;
      if (isList !== kind.endsWith('List')) fail(`${file}: ${operation} ${path} returns ${model}`);
      if (!operation.includes(kind.replace(/List$/, '')))
        fail(`${file}: ${operation} returns ${model}`);
      addKind(apiVersion, kind, model, `${file} ${operation}`);
    }
  }

  // Every kind gets its List: the client's own model, or one made like the others.
  for (const [key, model] of [...kindModels]) {
    if (key.endsWith('List')) continue;
    const listKey = `${key}List`;
    if (kinds[listKey] !== undefined) continue;
    const listName = `${model}List`;
    if (definitions[listName] !== undefined) fail(`${listName} exists but is not served`);
    definitions[listName] = listDefinition(ref(model));
    kinds[listKey] = listName;
  }
  // The generic v1 List (`kubectl get -o yaml` output): items of any kind.
  if (definitions.V1List !== undefined) fail('V1List already exists');
  definitions.V1List = listDefinition({ type: 'object' });
  kinds['v1/List'] = 'V1List';

  if (kinds['apps/v1/Deployment'] !== 'V1Deployment' || kinds['v1/Service'] !== 'V1Service') {
    fail('the group/version/kind mapping lost apps/v1/Deployment or v1/Service');
  }
  checkReferences('kubernetes.json', definitions);
  return {
    source: [
      `@kubernetes/client-node@${packageVersion(clientDirectory)}`,
      `kubernetes-models@${packageVersion(kubernetesModelsDirectory)} (Quantity fields)`,
    ].join(', '),
    kubernetesVersion: releaseVersion,
    definitions,
    kinds,
  };
}

function listDefinition(items) {
  return strictObject(
    {
      apiVersion: { type: 'string' },
      items: { type: 'array', items },
      kind: { type: 'string' },
      metadata: ref('V1ListMeta'),
    },
    ['items'],
  );
}

// ---------------------------------------------------------------------------------------------
// CRDs from the .d.ts of the @kubernetes-models packages

function crdBundle(kubernetes) {
  const apimachineryDirectory = packageDirectory('@kubernetes-models/apimachinery');
  const kubernetesModelsDirectory = packageDirectory('kubernetes-models');
  const kindFiles = [];
  const sources = [];
  for (const name of CRD_PACKAGES) {
    const directory = packageDirectory(name);
    sources.push(`${name}@${packageVersion(directory)}`);
    // <package>/<group>/<version>/<Kind>.d.ts; groups are DNS names (skips github.com/..., _schemas).
    for (const group of readdirSync(directory).sort()) {
      const groupDirectory = join(directory, group);
      if (!group.includes('.') || group === 'github.com' || !statSync(groupDirectory).isDirectory())
        continue;
      for (const version of readdirSync(groupDirectory).sort()) {
        const versionDirectory = join(groupDirectory, version);
        if (!existsSync(join(versionDirectory, 'index.d.ts'))) continue;
        for (const file of readdirSync(versionDirectory).sort()) {
          if (file.endsWith('.d.ts') && file !== 'index.d.ts')
            kindFiles.push(join(versionDirectory, file));
        }
      }
    }
  }
  sources.push(`@kubernetes-models/apimachinery@${packageVersion(apimachineryDirectory)}`);
  sources.push(`kubernetes-models@${packageVersion(kubernetesModelsDirectory)} (type names only)`);

  const program = ts.createProgram({
    rootNames: kindFiles,
    options: {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: false,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
  });
  const checker = program.getTypeChecker();
  const definitions = {};
  const kinds = {};
  const pending = []; // [name, interface declaration]
  const namesByDeclaration = new Map();

  const location = (node) => {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(projectRoot, file.fileName)}:${line + 1}`;
  };

  /** The declaration a type name points at, through imports and re-exports. */
  const declarationOf = (typeName) => {
    let symbol = checker.getSymbolAtLocation(typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (!declaration) fail(`${location(typeName)}: cannot resolve ${typeName.getText()}`);
    return declaration;
  };

  /** `IFoo` exported as `IComGithubOrgRepoV1Foo`: the Go-qualified name, unique across packages. */
  const definitionName = (declaration) => {
    const known = namesByDeclaration.get(declaration);
    if (known !== undefined) return known;
    const local = declaration.name.text;
    let qualified;
    for (const statement of declaration.getSourceFile().statements) {
      if (!ts.isExportDeclaration(statement) || !statement.exportClause) continue;
      if (!ts.isNamedExports(statement.exportClause)) continue;
      for (const element of statement.exportClause.elements) {
        if (element.propertyName?.text === local && element.name.text.startsWith('I')) {
          qualified = element.name.text.slice(1);
        }
      }
    }
    if (qualified === undefined) fail(`${location(declaration)}: no qualified export for ${local}`);
    namesByDeclaration.set(declaration, qualified);
    pending.push([qualified, declaration]);
    return qualified;
  };

  const isExternal = (declaration) => {
    const file = declaration.getSourceFile().fileName;
    return !CRD_PACKAGES.some((name) => file.startsWith(packageDirectory(name) + sep));
  };

  /** Types from kubernetes-models and apimachinery: the built-in definitions. */
  const external = (declaration) => {
    const file = declaration.getSourceFile().fileName;
    const name = declaration.name.text.replace(/^I/, '');
    const inApimachinery = file.startsWith(apimachineryDirectory + sep);
    if (!inApimachinery && !file.startsWith(kubernetesModelsDirectory + sep)) {
      fail(`${location(declaration)}: ${name} comes from an unexpected package`);
    }
    const base = inApimachinery ? apimachineryDirectory : kubernetesModelsDirectory;
    const parts = relative(base, file).split(sep);
    if (inApimachinery && parts[0] === 'util' && name === 'IntOrString') return INT_OR_STRING;
    if (inApimachinery && parts[0] === 'api' && name === 'Quantity') return QUANTITY;
    if (inApimachinery && (name === 'Time' || name === 'MicroTime')) return DATE_TIME;
    // Empty interfaces (apiextensions JSON, runtime.RawExtension): any value.
    if (ts.isInterfaceDeclaration(declaration) && declaration.members.length === 0) return {};
    const version = parts.at(-2);
    const group = inApimachinery ? '' : parts.length === 3 ? parts[0] : '';
    const model = clientNodeModelName(
      new Set(Object.keys(kubernetes.definitions)),
      group,
      version,
      name,
    );
    if (model === undefined) fail(`${location(declaration)}: no built-in definition for ${name}`);
    copyClosure(model, kubernetes.definitions, definitions);
    return ref(model);
  };

  const literalOf = (node) => {
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return node.literal.text;
    return undefined;
  };

  const convert = (node) => {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.ObjectKeyword:
        return {};
      case ts.SyntaxKind.ParenthesizedType:
        return convert(node.type);
      case ts.SyntaxKind.ArrayType:
        return { type: 'array', items: convert(node.elementType) };
      case ts.SyntaxKind.LiteralType: {
        const literal = literalOf(node);
        if (literal === undefined) break;
        return { type: 'string', enum: [literal] };
      }
      case ts.SyntaxKind.UnionType: {
        const members = node.types.filter(
          (member) =>
            member.kind !== ts.SyntaxKind.UndefinedKeyword &&
            !(ts.isLiteralTypeNode(member) && member.literal.kind === ts.SyntaxKind.NullKeyword),
        );
        if (members.length === 1) return convert(members[0]);
        const literals = members.map(literalOf);
        if (literals.every((literal) => literal !== undefined)) {
          return { type: 'string', enum: [...new Set(literals)].sort() };
        }
        const keywords = {
          [ts.SyntaxKind.StringKeyword]: 'string',
          [ts.SyntaxKind.NumberKeyword]: 'number',
        };
        if (members.every((member) => keywords[member.kind] !== undefined)) {
          return { type: [...new Set(members.map((member) => keywords[member.kind]))].sort() };
        }
        break;
      }
      case ts.SyntaxKind.TypeLiteral:
        return objectSchema(node.members);
      case ts.SyntaxKind.TypeReference: {
        if (
          ts.isIdentifier(node.typeName) &&
          node.typeName.text === 'Array' &&
          node.typeArguments?.length === 1
        ) {
          return { type: 'array', items: convert(node.typeArguments[0]) };
        }
        const declaration = declarationOf(node.typeName);
        if (isExternal(declaration)) return external(declaration);
        if (ts.isInterfaceDeclaration(declaration)) {
          if (declaration.members.length === 0 && !declaration.heritageClauses) return {};
          return ref(definitionName(declaration));
        }
        if (ts.isTypeAliasDeclaration(declaration)) return convert(declaration.type);
        break;
      }
      default:
        break;
    }
    return fail(`${location(node)}: unsupported type ${node.getText()}`);
  };

  /** Properties and index signature of an interface or type literal. */
  const objectSchema = (members) => {
    const properties = {};
    const required = [];
    let additional;
    for (const member of members) {
      if (ts.isPropertySignature(member)) {
        if (!member.type) fail(`${location(member)}: property without a type`);
        const name =
          ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)
            ? member.name.text
            : undefined;
        if (name === undefined) fail(`${location(member)}: computed property name`);
        properties[name] = convert(member.type);
        if (!member.questionToken) required.push(name);
      } else if (ts.isIndexSignatureDeclaration(member)) {
        if (additional !== undefined) fail(`${location(member)}: two index signatures`);
        additional = convert(member.type);
      } else {
        fail(`${location(member)}: unsupported member ${member.getText()}`);
      }
    }
    if (additional === undefined) return strictObject(properties, required);
    const schema = { type: 'object' };
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = [...new Set(required)].sort();
    if (Object.keys(additional).length > 0) schema.additionalProperties = additional;
    return schema;
  };

  /** The schema of an interface with the members of the types it extends merged in. */
  const interfaceSchema = (declaration) => {
    const own = objectSchema(declaration.members);
    for (const clause of declaration.heritageClauses ?? []) {
      for (const type of clause.types) mergeBase(own, baseSchema(type.expression), declaration);
    }
    return own;
  };

  /** What an `extends` clause brings: a package interface, or (through aliases) a built-in type. */
  const baseSchema = (expression) => {
    const declaration = declarationOf(expression);
    if (isExternal(declaration)) {
      // TypeMeta: apiVersion and kind, which every kind redeclares as literals.
      if (
        declaration.getSourceFile().fileName.includes(`${sep}@kubernetes-models${sep}base${sep}`)
      ) {
        return interfaceSchema(declaration);
      }
      const schema = external(declaration);
      if (schema.$ref === undefined) fail(`${location(expression)}: extends a non-object type`);
      return definitions[refName(schema)];
    }
    if (ts.isInterfaceDeclaration(declaration)) return interfaceSchema(declaration);
    if (ts.isTypeAliasDeclaration(declaration) && ts.isTypeReferenceNode(declaration.type)) {
      return baseSchema(declaration.type.typeName);
    }
    return fail(`${location(expression)}: extends an unsupported type`);
  };

  const mergeBase = (target, base, declaration) => {
    if (base.type !== 'object') fail(`${location(declaration)}: extends a non-object type`);
    const ownNames = new Set(Object.keys(target.properties ?? {}));
    const required = new Set(target.required ?? []);
    for (const [name, property] of Object.entries(base.properties ?? {})) {
      if (ownNames.has(name)) continue;
      target.properties ??= {};
      target.properties[name] = property;
      if (base.required?.includes(name)) required.add(name);
    }
    if (required.size > 0) target.required = [...required].sort();
    if (base.additionalProperties !== false) {
      // The base is a map or takes any field: so does the result.
      if (target.additionalProperties !== false && target[STRICT] !== true) {
        if (
          JSON.stringify(target.additionalProperties) !== JSON.stringify(base.additionalProperties)
        ) {
          fail(`${location(declaration)}: two index signatures`);
        }
      }
      Reflect.deleteProperty(target, STRICT);
      if (base.additionalProperties === undefined) delete target.additionalProperties;
      else target.additionalProperties = base.additionalProperties;
    }
  };

  const drain = () => {
    while (pending.length > 0) {
      const [name, declaration] = pending.pop();
      if (definitions[name] !== undefined) fail(`two types are named ${name}`);
      definitions[name] = interfaceSchema(declaration);
    }
  };

  for (const file of kindFiles) {
    const source = program.getSourceFile(file);
    if (!source) fail(`TypeScript did not load ${file}`);
    for (const statement of source.statements) {
      // Kinds (and their Lists) extend TypeMeta; embedded objects such as prometheus-operator's
      // EmbeddedPersistentVolumeClaim have literal apiVersion and kind but do not.
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const extendsTypeMeta = (statement.heritageClauses ?? []).some((clause) =>
        clause.types.some((type) => type.expression.getText() === 'TypeMeta'),
      );
      if (!extendsTypeMeta) continue;
      const literal = (property) => {
        const member = statement.members.find(
          (candidate) =>
            ts.isPropertySignature(candidate) &&
            candidate.name.getText().replace(/"/g, '') === property,
        );
        return member?.type ? literalOf(member.type) : undefined;
      };
      const apiVersion = literal('apiVersion');
      const kind = literal('kind');
      if (apiVersion === undefined || kind === undefined) continue;
      const name = definitionName(statement);
      const key = `${apiVersion}/${kind}`;
      if (kinds[key] !== undefined && kinds[key] !== name)
        fail(`${key} is both ${kinds[key]} and ${name}`);
      kinds[key] = name;
      drain();
    }
  }
  drain();

  for (const key of ['argoproj.io/v1alpha1/Application', 'external-secrets.io/v1/ExternalSecret']) {
    if (kinds[key] === undefined) fail(`no CRD kind ${key}: did a package change its layout?`);
  }
  checkReferences('crds.json', definitions);
  const kubernetesSource = kubernetes.source.split(', ')[0];
  return {
    source: [...sources, `${kubernetesSource} (built-in types)`].join(', '),
    definitions,
    kinds,
  };
}

// ---------------------------------------------------------------------------------------------
// Output: one definition and one kind per line, keys sorted, written atomically.

function serialize(bundle) {
  const sorted = sortKeys(bundle);
  const lines = ['{'];
  const keys = Object.keys(sorted);
  keys.forEach((key, index) => {
    const comma = index < keys.length - 1 ? ',' : '';
    const value = sorted[key];
    if (key === 'definitions' || key === 'kinds') {
      const entries = Object.entries(value);
      lines.push(`  ${JSON.stringify(key)}: {`);
      entries.forEach(([name, entry], entryIndex) => {
        const entryComma = entryIndex < entries.length - 1 ? ',' : '';
        lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(entry)}${entryComma}`);
      });
      lines.push(`  }${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
    }
  });
  lines.push('}', '');
  return lines.join('\n');
}

function write(name, bundle) {
  const path = join(outputDirectory, name);
  const temporary = `${path}.${process.pid}.tmp`;
  const text = serialize(bundle);
  writeFileSync(temporary, text, 'utf8');
  renameSync(temporary, path);
  return Buffer.byteLength(text);
}

const kubernetes = await kubernetesBundle();
const crds = crdBundle(kubernetes);
mkdirSync(outputDirectory, { recursive: true });
const sizes = [write('kubernetes.json', kubernetes), write('crds.json', crds)];
const count = (bundle) => [
  Object.keys(bundle.definitions).length,
  Object.keys(bundle.kinds).length,
];
const [kubernetesDefinitions, kubernetesKinds] = count(kubernetes);
const [crdDefinitions, crdKinds] = count(crds);
console.log(
  `generate-schemas: ${relative(process.cwd(), outputDirectory) || '.'}: kubernetes.json ` +
    `(Kubernetes ${kubernetes.kubernetesVersion}) ${kubernetesDefinitions} definitions, ` +
    `${kubernetesKinds} kinds, ${Math.round(sizes[0] / 1024)} KiB; crds.json ${crdDefinitions} ` +
    `definitions, ${crdKinds} kinds, ${Math.round(sizes[1] / 1024)} KiB; ` +
    `${Math.round(performance.now() - started)} ms`,
);
