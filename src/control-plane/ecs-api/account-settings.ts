// PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting.
// Settings are documents (kind 'accountSetting', key `${principalArn}|${name}`, the principal
// 'default' for PutAccountSettingDefault). The effective value of a setting for a principal is
// its own, else the root user's, else the account default, else ECS's built-in default.
// There is no IAM here: the caller is taken to be the account's root user.
import { invalidParameter } from '../errors.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { optBoolean, optString, paginate, reqString } from './input.ts';

export const ACCOUNT_SETTING_KIND = 'accountSetting';
const DEFAULT_PRINCIPAL = 'default';

/** The setting names of the ECS API this control plane implements, with ECS's built-in default. */
export const ACCOUNT_SETTING_DEFAULTS = {
  serviceLongArnFormat: 'enabled',
  taskLongArnFormat: 'enabled',
  containerInstanceLongArnFormat: 'enabled',
  awsvpcTrunking: 'disabled',
  containerInsights: 'disabled',
} as const;
export type AccountSettingName = keyof typeof ACCOUNT_SETTING_DEFAULTS;
const NAMES = Object.keys(ACCOUNT_SETTING_DEFAULTS) as AccountSettingName[];
/** Dockhand always makes long ARNs; opting out would be a setting it silently ignores. */
const LONG_ARN_SETTINGS: readonly string[] = ['serviceLongArnFormat', 'taskLongArnFormat', 'containerInstanceLongArnFormat'];

interface AccountSettingRecord {
  name: AccountSettingName;
  value: string;
  /** The IAM principal, or 'default' for the account default. */
  principalArn: string;
}

export const rootPrincipal = (ctx: ApiContext): string => `arn:${ctx.scope.partition ?? 'aws'}:iam::${ctx.scope.accountId}:root`;

function readName(input: Input, required: boolean): AccountSettingName | undefined {
  const name = required ? reqString(input, 'name') : optString(input, 'name');
  if (name === undefined) return undefined;
  if (!(NAMES as string[]).includes(name)) throw invalidParameter(`Invalid setting name '${name}': use one of ${NAMES.join(', ')}.`);
  return name as AccountSettingName;
}

function readValue(input: Input, name: AccountSettingName): string {
  const value = reqString(input, 'value');
  if (value !== 'enabled' && value !== 'disabled') throw invalidParameter(`Invalid value '${value}' for ${name}: use enabled or disabled.`);
  if (value === 'disabled' && LONG_ARN_SETTINGS.includes(name)) {
    throw invalidParameter(`${name} cannot be disabled here: Dockhand always uses the long ARN format (cluster name in task, service and container instance ARNs).`);
  }
  return value;
}

/** An IAM user, role or root ARN of this account; absent means the caller (the root user here). */
function readPrincipal(ctx: ApiContext, input: Input): string {
  const principal = optString(input, 'principalArn');
  if (principal === undefined || principal === '') return rootPrincipal(ctx);
  const m = /^arn:[a-z-]+:iam::(\d{12}):(root|user\/.+|role\/.+)$/.exec(principal);
  if (!m) throw invalidParameter(`Invalid principalArn '${principal}': an IAM user, IAM role or root ARN is required.`);
  if (m[1] !== ctx.scope.accountId) throw invalidParameter(`principalArn '${principal}' is not in this account (${ctx.scope.accountId}).`);
  return principal;
}

const key = (principal: string, name: string): string => `${principal}|${name}`;
const get = (ctx: ApiContext, principal: string, name: string) => ctx.store.getDocument<AccountSettingRecord>(ACCOUNT_SETTING_KIND, key(principal, name));
/** A principal's explicit setting; for the root user the account default counts as its own
 *  (in ECS the default is the root user's setting). */
const own = (ctx: ApiContext, principal: string, name: string) =>
  get(ctx, principal, name) ?? (principal === rootPrincipal(ctx) ? get(ctx, DEFAULT_PRINCIPAL, name) : undefined);

function put(ctx: ApiContext, record: AccountSettingRecord): void {
  ctx.store.putDocument(ACCOUNT_SETTING_KIND, key(record.principalArn, record.name), '', record);
  ctx.logger.info({ name: record.name, value: record.value, principalArn: record.principalArn }, 'account setting changed');
}

/** The wire shape: the account default answers with the root principal, as ECS does. */
const view = (ctx: ApiContext, r: AccountSettingRecord) => ({
  name: r.name, value: r.value, principalArn: r.principalArn === DEFAULT_PRINCIPAL ? rootPrincipal(ctx) : r.principalArn,
});

/** The value that applies to `principal` (the root user when absent): own, root's, default, built-in. */
export function effectiveSetting(ctx: ApiContext, name: AccountSettingName, principal = rootPrincipal(ctx)): { value: string; principalArn: string } {
  const found = get(ctx, principal, name) ?? get(ctx, rootPrincipal(ctx), name) ?? get(ctx, DEFAULT_PRINCIPAL, name);
  return found ? view(ctx, found) : { value: ACCOUNT_SETTING_DEFAULTS[name], principalArn: rootPrincipal(ctx) };
}

const putAccountSetting: Handler = (ctx, input) => {
  const name = readName(input, true)!;
  const record: AccountSettingRecord = { name, value: readValue(input, name), principalArn: readPrincipal(ctx, input) };
  put(ctx, record);
  return { setting: view(ctx, record) };
};

const putAccountSettingDefault: Handler = (ctx, input) => {
  const name = readName(input, true)!;
  const record: AccountSettingRecord = { name, value: readValue(input, name), principalArn: DEFAULT_PRINCIPAL };
  put(ctx, record);
  return { setting: view(ctx, record) };
};

const deleteAccountSetting: Handler = (ctx, input) => {
  const name = readName(input, true)!;
  const principal = readPrincipal(ctx, input);
  const existing = own(ctx, principal, name);
  if (!existing) throw invalidParameter(`There is no ${name} setting for ${principal} to delete.`);
  ctx.store.deleteDocument(ACCOUNT_SETTING_KIND, key(existing.principalArn, name));
  ctx.logger.info({ name, principalArn: principal }, 'account setting deleted');
  // What ECS answers: the setting as it was removed.
  return { setting: view(ctx, existing) };
};

const listAccountSettings: Handler = (ctx, input) => {
  const name = readName(input, false);
  const value = optString(input, 'value');
  if (value !== undefined && name === undefined) throw invalidParameter('value can only be used together with name.');
  const principal = readPrincipal(ctx, input);
  const effective = optBoolean(input, 'effectiveSettings') ?? false;
  const names = name ? [name] : NAMES;
  const settings = names
    .map((n) => {
      if (effective) return { name: n, ...effectiveSetting(ctx, n, principal) };
      const explicit = own(ctx, principal, n);
      return explicit ? view(ctx, explicit) : undefined;
    })
    .filter((s): s is { name: AccountSettingName; value: string; principalArn: string } => s !== undefined)
    .filter((s) => value === undefined || s.value === value);
  const { page, nextToken } = paginate(settings, input, 10);
  return { settings: page, ...(nextToken ? { nextToken } : {}) };
};

export const accountSettingHandlers: Record<string, Handler> = {
  PutAccountSetting: putAccountSetting,
  PutAccountSettingDefault: putAccountSettingDefault,
  DeleteAccountSetting: deleteAccountSetting,
  ListAccountSettings: listAccountSettings,
};
