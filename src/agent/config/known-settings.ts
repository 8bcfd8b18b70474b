// Settings of the real ECS agent that Dockhand recognises but does not (yet) act on. An ECS_* name
// in neither this list nor the schema is probably a typo: both cases are warned about at start,
// differently, so that a user's ecs.config never fails silently.

export const REAL_AGENT_SETTINGS_NOT_HONOURED = new Set([
  'ECS_LOGLEVEL_ON_INSTANCE', 'ECS_UPDATES_ENABLED', 'ECS_UPDATE_DOWNLOAD_DIR', 'ECS_POLL_METRICS',
  'ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT', 'ECS_DISABLE_PRIVILEGED', 'ECS_SELINUX_CAPABLE', 'ECS_APPARMOR_CAPABLE',
  'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER', 'ECS_ENABLE_TASK_IAM_ROLE', 'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST',
  'ECS_ENABLE_TASK_ENI', 'ECS_CNI_PLUGINS_PATH',
  'ECS_AWSVPC_BLOCK_IMDS', 'ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES', 'ECS_ENABLE_CONTAINER_METADATA', 'ECS_HOST_DATA_DIR',
  'ECS_TASK_METADATA_RPS_LIMIT',
  'ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM', 'ECS_CONTAINER_INSTANCE_TAGS',
  'ECS_DISABLE_DOCKER_HEALTH_CHECK', 'ECS_NVIDIA_RUNTIME',
  'ECS_ENABLE_SPOT_INSTANCE_DRAINING', 'ECS_LOG_ROLLOVER_TYPE', 'ECS_LOG_OUTPUT_FORMAT', 'ECS_LOG_MAX_FILE_SIZE_MB',
  'ECS_LOG_MAX_ROLL_COUNT', 'ECS_LOG_DRIVER', 'ECS_LOG_OPTS', 'ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE',
  'ECS_FSX_WINDOWS_FILE_SERVER_SUPPORTED', 'ECS_ENABLE_RUNTIME_STATS', 'ECS_WARM_POOLS_CHECK',
  'ECS_SKIP_LOCALHOST_TRAFFIC_FILTER', 'ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS', 'ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME',
  'ECS_ENABLE_GPU_SUPPORT', 'ECS_GMSA_SUPPORTED', 'ECS_EBSTA_SUPPORTED',
  'ECS_ENABLE_HIGH_DENSITY_ENI', 'ECS_AUDIT_LOGFILE', 'ECS_AUDIT_LOGFILE_DISABLED', 'ECS_MANIFEST_PULL_TIMEOUT',
  'ECS_ENABLE_CPU_UNBOUNDED_WINDOWS_WORKAROUND',
  'ECS_ENABLE_MEMORY_UNBOUNDED_WINDOWS_WORKAROUND', 'ECS_INSTANCE_PROPAGATE_TAGS_FROM', 'ECS_ENABLE_CONTAINER_ENI',
]);

/** Names outside the settings we honour, as warnings to log at start. */
export function settingWarnings(names: Iterable<string>, honoured: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const name of names) {
    if (!name.startsWith('ECS_') || honoured.has(name) || name === 'ECS_AGENT_CONFIG_FILE_PATH') continue;
    out.push(REAL_AGENT_SETTINGS_NOT_HONOURED.has(name)
      ? `${name} is a real ECS agent setting that Dockhand does not support yet; it is ignored`
      : `${name} is not a setting Dockhand or the ECS agent knows (a typo?); it is ignored`);
  }
  return out;
}
