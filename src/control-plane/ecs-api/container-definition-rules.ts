// RegisterTaskDefinition's checks of the enumerations inside a container definition, as ECS makes
// them: a value outside the API's enum is refused at registration (ClientException naming the
// container and the field), rather than reaching an agent that would have to guess.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { clientError } from '../errors.ts';

const LOG_DRIVERS = ['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens'];
const PROTOCOLS = ['tcp', 'udp'];
const DEPENDENCY_CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'];
const ULIMITS = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

function oneOf(container: string, field: string, value: unknown, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(String(value))) {
    throw clientError(`Invalid setting for container '${container}'. ${field} '${String(value)}' must be one of: ${allowed.join(', ')}.`);
  }
}

/** Checks one container definition's enumerations and its dependsOn references against `names`
 *  (every container name of the task definition). */
export function checkContainerEnums(c: ContainerDefinition, names: ReadonlySet<string>): void {
  const name = c.name ?? '';
  oneOf(name, 'logConfiguration.logDriver', c.logConfiguration?.logDriver, LOG_DRIVERS);
  for (const pm of c.portMappings ?? []) oneOf(name, 'portMappings.protocol', pm.protocol, PROTOCOLS);
  for (const u of c.ulimits ?? []) oneOf(name, 'ulimits.name', u.name, ULIMITS);
  for (const d of c.dependsOn ?? []) {
    oneOf(name, 'dependsOn.condition', d.condition, DEPENDENCY_CONDITIONS);
    if (!d.containerName || !names.has(d.containerName)) {
      throw clientError(`Invalid setting for container '${name}'. dependsOn names '${d.containerName ?? ''}', which is not a container in this task definition.`);
    }
    if (d.containerName === name) throw clientError(`Invalid setting for container '${name}'. A container cannot depend on itself.`);
  }
}
