// Image pull, registry credential and image cleanup settings, with the real agent's bounds
// (agent/config/config.go validateAndOverrideBounds and parse.go): an out-of-range value is
// replaced, with a warning, rather than refused, and a zero means the default (its Config.Merge
// only takes non-zero values from the environment). The schema entries live in agent-config.ts.

export interface ImageConfig {
  pullInactivityTimeoutMs: number;
  /** ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA as given; images/registry-auth.ts parses them
   *  (and warns without quoting them). */
  authType: string;
  authData: string;
  cleanupDisabled: boolean;
  cleanupIntervalMs: number;
  minimumCleanupAgeMs: number;
  imagesPerCycle: number;
  /** ECS_EXCLUDE_UNTRACKED_IMAGE, split on commas. */
  exclude: string[];
  untrackedCleanup: boolean;
  untrackedMinimumAgeMs: number;
}

export type ImageSettingName =
  | 'ECS_IMAGE_PULL_INACTIVITY_TIMEOUT' | 'DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT' | 'ECS_ENGINE_AUTH_TYPE' | 'ECS_ENGINE_AUTH_DATA'
  | 'ECS_DISABLE_IMAGE_CLEANUP' | 'ECS_IMAGE_CLEANUP_INTERVAL' | 'DOCKHAND_IMAGE_CLEANUP_INTERVAL' | 'ECS_IMAGE_MINIMUM_CLEANUP_AGE'
  | 'ECS_NUM_IMAGES_DELETE_PER_CYCLE' | 'ECS_EXCLUDE_UNTRACKED_IMAGE' | 'ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP' | 'NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE';

const MINUTE = 60_000;

export function imageConfig(g: <T>(key: ImageSettingName) => T, warnings: string[]): ImageConfig {
  const ms = (key: ImageSettingName): number => g<number>(key);
  let inactivity = ms('ECS_IMAGE_PULL_INACTIVITY_TIMEOUT') || MINUTE;
  if (inactivity < MINUTE) {
    warnings.push('ECS_IMAGE_PULL_INACTIVITY_TIMEOUT is under the 1m minimum; using 1m');
    inactivity = MINUTE;
  }
  let interval = ms('ECS_IMAGE_CLEANUP_INTERVAL') || 30 * MINUTE;
  if (interval < 10 * MINUTE) {
    warnings.push('ECS_IMAGE_CLEANUP_INTERVAL is under the 10m minimum; using the default 30m');
    interval = 30 * MINUTE;
  }
  let perCycle = g<number>('ECS_NUM_IMAGES_DELETE_PER_CYCLE');
  if (perCycle < 1) {
    warnings.push('ECS_NUM_IMAGES_DELETE_PER_CYCLE must be at least 1; using the default 5');
    perCycle = 5;
  }
  return {
    // The DOCKHAND_ overrides exist for tests, which cannot wait minutes; they skip the minimums.
    pullInactivityTimeoutMs: ms('DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT') || inactivity,
    authType: g<string>('ECS_ENGINE_AUTH_TYPE').trim(),
    authData: g('ECS_ENGINE_AUTH_DATA'),
    cleanupDisabled: g('ECS_DISABLE_IMAGE_CLEANUP'),
    cleanupIntervalMs: ms('DOCKHAND_IMAGE_CLEANUP_INTERVAL') || interval,
    minimumCleanupAgeMs: ms('ECS_IMAGE_MINIMUM_CLEANUP_AGE') || 60 * MINUTE,
    imagesPerCycle: perCycle,
    exclude: g<string>('ECS_EXCLUDE_UNTRACKED_IMAGE').split(',').map((n) => n.trim()).filter(Boolean),
    untrackedCleanup: g('ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP'),
    untrackedMinimumAgeMs: ms('NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE') || 60 * MINUTE,
  };
}
