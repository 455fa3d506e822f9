/**
 * Checks a Grafana datasource provisioning file (`apiVersion: 1`, `datasources: [...]`): known
 * keys (unknown ones are silently ignored by Grafana, so they are reported as warnings), a name
 * and a type on every datasource, unique names and uids per organisation, uids Grafana accepts,
 * at most one default per organisation, and an absolute http(s) URL for Prometheus. Also reads
 * the provisioned uids and names for the dashboard check. Pure.
 */
import type { Finding } from '../findings.js';
import { durationOf } from '../prometheus/duration.js';
import {
  checkKnownKeys,
  describe,
  FindingCollector,
  isRecord,
  type FindingSource,
  type ObjectPath,
} from '../prometheus/source.js';
import { maxUidLength, uidPattern } from './dashboard.js';
import { quoteJson } from '../text-safety.js';

const code = (suffix: string): string => `grafana/${suffix}`;

const fileKeys = new Set(['apiVersion', 'datasources', 'deleteDatasources', 'prune']);
const datasourceKeys = new Set([
  'name',
  'type',
  'uid',
  'access',
  'url',
  'user',
  'database',
  'basicAuth',
  'basicAuthUser',
  'withCredentials',
  'isDefault',
  'jsonData',
  'secureJsonData',
  'version',
  'editable',
  'orgId',
]);

/** Types whose `url` is the server Grafana queries. */
const urlTypes = new Set([
  'prometheus',
  'loki',
  'tempo',
  'alertmanager',
  'elasticsearch',
  'jaeger',
]);

function datasourceList(provisioning: unknown): Record<string, unknown>[] {
  if (!isRecord(provisioning) || !Array.isArray(provisioning.datasources)) return [];
  return (provisioning.datasources as unknown[]).filter(isRecord);
}

/** The uids a provisioning file defines, for `checkDashboard`. */
export function datasourceUidsOf(provisioning: unknown): string[] {
  return datasourceList(provisioning)
    .map((datasource) => datasource.uid)
    .filter((uid): uid is string => typeof uid === 'string' && uid !== '');
}

/** The names a provisioning file defines, for legacy string references in dashboards. */
export function datasourceNamesOf(provisioning: unknown): string[] {
  return datasourceList(provisioning)
    .map((datasource) => datasource.name)
    .filter((name): name is string => typeof name === 'string' && name !== '');
}

function checkDatasource(
  out: FindingCollector,
  datasource: Record<string, unknown>,
  path: ObjectPath,
  seen: { names: Map<string, string>; uids: Map<string, string>; defaults: Map<string, string> },
): void {
  checkKnownKeys(
    out,
    datasource,
    datasourceKeys,
    path,
    code('unknown-field'),
    'a datasource',
    'warning',
  );
  const name = datasource.name;
  const label =
    typeof name === 'string' && name !== ''
      ? `datasource ${quoteJson(name)}`
      : `datasource ${String(path[path.length - 1])}`;
  const org = typeof datasource.orgId === 'number' ? String(datasource.orgId) : '1';
  if (typeof name !== 'string' || name === '') {
    out.add({
      code: code('missing-datasource-name'),
      message: `${label} has no name`,
      path: [...path, 'name'],
      hint: 'Grafana refuses a provisioned datasource without a name',
    });
  } else {
    const previous = seen.names.get(`${org}/${name}`);
    if (previous !== undefined)
      out.add({
        code: code('duplicate-datasource-name'),
        message: `${label} is defined twice in organisation ${org} (also ${previous})`,
        path: [...path, 'name'],
      });
    else seen.names.set(`${org}/${name}`, String(path[path.length - 1]));
  }
  const type = datasource.type;
  if (typeof type !== 'string' || type === '')
    out.add({
      code: code('missing-datasource-type'),
      message: `${label} has no type`,
      path: [...path, 'type'],
      hint: 'set type, e.g. prometheus',
    });
  const uid = datasource.uid;
  if (uid === undefined || uid === null || uid === '') {
    out.add({
      code: code('missing-datasource-uid'),
      severity: 'warning',
      message: `${label} has no uid: Grafana generates one, and dashboards cannot reference it reliably`,
      path: [...path, 'uid'],
      hint: 'set a fixed uid and reference it from dashboards as {"type": ..., "uid": ...}',
    });
  } else if (typeof uid !== 'string' || uid.length > maxUidLength || !uidPattern.test(uid)) {
    out.add({
      code: code('invalid-uid'),
      message: `${label}: uid ${describe(uid)} is not valid (at most ${maxUidLength} letters, digits, - and _)`,
      path: [...path, 'uid'],
    });
  } else {
    const previous = seen.uids.get(`${org}/${uid}`);
    if (previous !== undefined)
      out.add({
        code: code('duplicate-datasource-uid'),
        message: `${label}: uid ${quoteJson(uid)} is already used by datasource ${previous}`,
        path: [...path, 'uid'],
      });
    else seen.uids.set(`${org}/${uid}`, typeof name === 'string' ? quoteJson(name) : '?');
  }
  if (datasource.isDefault === true) {
    const previous = seen.defaults.get(org);
    if (previous !== undefined)
      out.add({
        code: code('multiple-default-datasources'),
        message: `${label} and ${previous} are both marked isDefault; only one datasource per organization can be marked as default`,
        path: [...path, 'isDefault'],
        hint: 'Grafana refuses the whole provisioning file',
      });
    else seen.defaults.set(org, label);
  }
  const access = datasource.access;
  if (access !== undefined && access !== 'proxy' && access !== 'direct')
    out.add({
      code: code('invalid-access'),
      message: `${label}: access must be proxy or direct, not ${describe(access)}`,
      path: [...path, 'access'],
    });
  else if (access === 'direct')
    out.add({
      code: code('browser-access'),
      severity: 'warning',
      message: `${label}: access "direct" makes the browser query the datasource, which modern Grafana no longer supports for most types`,
      path: [...path, 'access'],
      hint: 'use access: proxy',
    });
  const url = datasource.url;
  if (typeof type === 'string' && urlTypes.has(type)) {
    if (url === undefined || url === null || url === '')
      out.add({
        code: code('missing-datasource-url'),
        message: `${label} of type ${type} has no url`,
        path: [...path, 'url'],
        hint: 'set url to the server, e.g. http://prometheus.<namespace>.svc:9090',
      });
    else if (typeof url !== 'string' || (!url.includes('$') && !/^https?:\/\/[^/\s]+/.test(url)))
      out.add({
        code: code('invalid-datasource-url'),
        message: `${label}: url ${describe(url)} is not an absolute http(s) URL`,
        path: [...path, 'url'],
        hint: 'with access: proxy the Grafana server connects to this URL: include the scheme, e.g. http://prometheus.<namespace>.svc:9090',
      });
  }
  const jsonData = datasource.jsonData;
  if (jsonData !== undefined && !isRecord(jsonData)) {
    out.add({
      code: code('invalid-type'),
      message: `${label}: jsonData must be a mapping, not ${describe(jsonData)}`,
      path: [...path, 'jsonData'],
    });
  } else if (isRecord(jsonData) && type === 'prometheus') {
    const method = jsonData.httpMethod;
    if (method !== undefined && method !== 'GET' && method !== 'POST')
      out.add({
        code: code('invalid-json-data'),
        message: `${label}: jsonData.httpMethod must be GET or POST, not ${describe(method)}`,
        path: [...path, 'jsonData', 'httpMethod'],
      });
    const interval = jsonData.timeInterval;
    if (
      interval !== undefined &&
      (typeof interval !== 'string' || durationOf(interval) === undefined)
    )
      out.add({
        code: code('invalid-json-data'),
        message: `${label}: jsonData.timeInterval ${describe(interval)} is not a duration such as 15s`,
        path: [...path, 'jsonData', 'timeInterval'],
        hint: 'set it to the Prometheus scrape interval, e.g. 15s',
      });
  }
}

/** Checks a parsed datasource provisioning file. */
export function checkDatasources(provisioning: unknown, source: FindingSource): Finding[] {
  const out = new FindingCollector(source);
  if (!isRecord(provisioning)) {
    out.add({
      code: code('invalid-provisioning'),
      message: `a datasource provisioning file is a mapping, not ${describe(provisioning)}`,
      path: [],
    });
    return out.findings;
  }
  checkKnownKeys(
    out,
    provisioning,
    fileKeys,
    [],
    code('unknown-field'),
    'a provisioning file',
    'warning',
  );
  if (provisioning.apiVersion !== 1)
    out.add({
      code: code('invalid-api-version'),
      message:
        provisioning.apiVersion === undefined
          ? 'the provisioning file has no apiVersion'
          : `apiVersion must be 1, not ${describe(provisioning.apiVersion)}`,
      path: ['apiVersion'],
      hint: 'start the file with apiVersion: 1',
    });
  const list = provisioning.datasources;
  if (list === undefined || list === null) return out.findings;
  if (!Array.isArray(list)) {
    out.add({
      code: code('invalid-type'),
      message: `datasources must be a list, not ${describe(list)}`,
      path: ['datasources'],
    });
    return out.findings;
  }
  const seen = {
    names: new Map<string, string>(),
    uids: new Map<string, string>(),
    defaults: new Map<string, string>(),
  };
  list.forEach((datasource: unknown, index) => {
    if (!isRecord(datasource)) {
      out.add({
        code: code('invalid-type'),
        message: `a datasource is ${describe(datasource)}, not a mapping`,
        path: ['datasources', index],
      });
      return;
    }
    checkDatasource(out, datasource, ['datasources', index], seen);
  });
  return out.findings;
}
