// Reading the cluster fields CreateCluster, UpdateCluster and UpdateClusterSettings share:
// settings (containerInsights), configuration (executeCommandConfiguration) and
// serviceConnectDefaults, each checked as ECS checks it.
import type { ClusterConfiguration } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../errors.ts';
import type { ClusterRecord } from '../model/records.ts';
import type { Input } from './context.ts';
import { optList, optObject, optString } from './input.ts';

type Setting = ClusterRecord['settings'][number];

/** `settings`: only containerInsights exists, valued enabled or disabled. */
export function readClusterSettings(input: Input): Setting[] | undefined {
  const list = optList<unknown>(input, 'settings');
  if (list === undefined) return undefined;
  const settings: Setting[] = [];
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParameter('Each cluster setting must be a structure with a name and a value.');
    const name = optString(raw as Input, 'name');
    const value = optString(raw as Input, 'value');
    if (name !== 'containerInsights') throw invalidParameter(`Invalid cluster setting name '${name ?? ''}': the only cluster setting is containerInsights.`);
    if (value !== 'enabled' && value !== 'disabled') throw invalidParameter(`Invalid value '${value ?? ''}' for containerInsights: use enabled or disabled.`);
    if (settings.some((s) => s.name === name)) throw invalidParameter(`The cluster setting ${name} is given more than once.`);
    settings.push({ name, value });
  }
  return settings;
}

/** Settings after an update: the sent ones replace those of the same name. */
export function mergeSettings(current: Setting[], sent: Setting[]): Setting[] {
  return [...current.filter((c) => !sent.some((s) => s.name === c.name)), ...sent];
}

const LOGGING = ['NONE', 'DEFAULT', 'OVERRIDE'];
const LOG_CONFIGURATION_FIELDS: Record<string, 'string' | 'boolean'> = {
  cloudWatchLogGroupName: 'string', cloudWatchEncryptionEnabled: 'boolean', s3BucketName: 'string', s3EncryptionEnabled: 'boolean', s3KeyPrefix: 'string',
};

function checkExecuteCommandConfiguration(raw: unknown): void {
  if (raw === undefined || raw === null) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('executeCommandConfiguration must be a structure.');
  const c = raw as Input;
  const kms = c.kmsKeyId;
  if (kms !== undefined && kms !== null && typeof kms !== 'string') throw invalidParameter('executeCommandConfiguration.kmsKeyId must be a string.');
  const logging = c.logging ?? 'DEFAULT';
  if (typeof logging !== 'string' || !LOGGING.includes(logging)) throw invalidParameter(`Invalid executeCommandConfiguration.logging '${String(logging)}': use NONE, DEFAULT or OVERRIDE.`);
  const log = c.logConfiguration;
  if (logging === 'OVERRIDE' && (log === undefined || log === null)) {
    throw invalidParameter('executeCommandConfiguration.logConfiguration is required when logging is OVERRIDE.');
  }
  if (log !== undefined && log !== null) {
    if (logging !== 'OVERRIDE') throw invalidParameter('executeCommandConfiguration.logConfiguration can only be given when logging is OVERRIDE.');
    if (typeof log !== 'object' || Array.isArray(log)) throw invalidParameter('executeCommandConfiguration.logConfiguration must be a structure.');
    for (const [field, value] of Object.entries(log as Input)) {
      const type = LOG_CONFIGURATION_FIELDS[field];
      if (!type) throw invalidParameter(`Unknown field logConfiguration.${field}.`);
      if (value !== null && typeof value !== type) throw invalidParameter(`logConfiguration.${field} must be a ${type}.`);
    }
  }
}

/** `configuration`, stored as sent once its executeCommandConfiguration checks out. (Dockhand
 *  has no Session Manager, so the settings are kept for DescribeClusters only.) */
export function readClusterConfiguration(input: Input): ClusterConfiguration | undefined {
  const configuration = optObject<Input>(input, 'configuration');
  if (configuration === undefined) return undefined;
  checkExecuteCommandConfiguration(configuration.executeCommandConfiguration);
  return configuration as ClusterConfiguration;
}

/** `serviceConnectDefaults` {namespace}: an empty namespace removes the default (ECS: "" clears it). */
export function readServiceConnectDefaults(input: Input): { namespace: string } | null | undefined {
  const sent = optObject<Input>(input, 'serviceConnectDefaults');
  if (sent === undefined) return undefined;
  const namespace = optString(sent, 'namespace');
  if (namespace === undefined) throw invalidParameter('serviceConnectDefaults.namespace can not be blank.');
  return namespace === '' ? null : { namespace };
}
