// The agent's composition root: builds each edge once and wires the flow
//   ACS PayloadMessage → TaskEngine (Docker) → StateOutbox → SubmitTaskStateChange.
// Nothing here decides anything; it only connects the parts and shuts them down in order.
import type { Logger } from 'pino';
import type { AgentConfig } from './config/agent-config.ts';
import type { SigningCredentials } from '../protocol/sigv4-websocket.ts';
import { createEcsClient, type EcsClient } from './ecs/ecs-client.ts';
import { readHostFacts, totalResources } from './register/instance-resources.ts';
import { instanceAttributes } from './register/attributes.ts';
import { registerContainerInstance, RegistrationError } from './register/register-instance.ts';
import { readEc2Identity } from './register/ec2-identity.ts';
import { openAgentStore } from './store/open-agent-store.ts';
import { META_CONTAINER_INSTANCE_ARN, META_CLUSTER, type AgentStore } from './store/agent-store.ts';
import { StateOutbox } from './outbox/state-outbox.ts';
import { durableTaskCheckpoint } from './outbox/durable-task-checkpoint.ts';
import { AcsSession, type AcsTiming } from './acs/acs-session.ts';
import { DockerodeEngine } from './docker/dockerode-engine.ts';
import { TaskEngine } from './engine/task-engine.ts';
import { createImageServices } from './images/image-services.ts';
import { createTaskResources } from './docker/task-resources.ts';
import { StatsPoller } from './tcs/stats-poller.ts';
import { TaskCredentialsStore } from './credentials/task-credentials.ts';
import { TcsSession } from './tcs/tcs-session.ts';

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** Static credentials instead of the default AWS chain (`dockhand local`, tests). */
  credentials?: SigningCredentials;
  acsTiming?: Partial<AcsTiming>;
}

export interface RunningAgent {
  containerInstanceArn: string;
  engine: TaskEngine;
  outbox: StateOutbox;
  acs: AcsSession;
  client: EcsClient;
  taskCredentials: TaskCredentialsStore;
  /** Closes connections and saves state; running tasks keep running. */
  close(): Promise<void>;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const { config, logger } = o;
  for (const warning of config.warnings) logger.warn(warning);
  const opened = openAgentStore(config.checkpoint ? config.dataDir : ':memory:');
  const store: AgentStore = opened.store;
  if (opened.recovered) {
    // A damaged checkpoint is set aside, not trusted; the engine re-finds running containers by
    // their labels and names, so nothing is launched twice (README, "Agent state").
    logger.error({ file: `${config.dataDir}/agent.db`, movedTo: opened.recovered.movedTo, error: opened.recovered.error },
      `agent state ${config.dataDir}/agent.db is corrupt; moved it to ${opened.recovered.movedTo} and started with a fresh one`);
  }
  try {
    const docker = new DockerodeEngine({
      dockerHost: config.dockerHost, logger, pullTimeoutMs: config.imagePullTimeoutMs, excludeIpv6PortBindings: config.excludeIpv6PortBindings,
      createTimeoutMs: config.containerCreateTimeoutMs, startTimeoutMs: config.containerStartTimeoutMs,
    });
    // External (ECS Anywhere) hosts have no instance metadata service: never call it there.
    const [dockerInfo, host, identity, taskResources] = await Promise.all([
      docker.version(), readHostFacts(), config.external ? undefined : readEc2Identity(config.imdsEndpoint),
      // The '/ecs' cgroup root before registering: only then may we advertise task-cpu-mem-limit.
      createTaskResources(config, docker, logger),
    ]);
    // On EC2 the region may come from the identity document, as the real agent does.
    const region = config.region ?? identity?.region;
    if (!region) throw new RegistrationError('no region: set AWS_DEFAULT_REGION (the instance identity document had none)');
    const client = createEcsClient({ region, endpoint: config.backendHost, ...(o.credentials ? { credentials: o.credentials } : {}) });

    // A saved ARN is only ours to reuse in the cluster it was registered in.
    const savedArn = store.getMeta(META_CLUSTER) === config.cluster ? store.getMeta(META_CONTAINER_INSTANCE_ARN) : undefined;
    const containerInstanceArn = await registerContainerInstance(client, {
      cluster: config.cluster,
      savedArn,
      attributes: instanceAttributes({
        dockerApiVersion: dockerInfo.apiVersion,
        loggingDrivers: config.availableLoggingDrivers,
        external: config.external,
        cpuArchitecture: host.cpuArchitecture,
        custom: config.instanceAttributes,
        taskCpuMemLimit: taskResources.taskCgroupsEnabled,
      }),
      totalResources: totalResources(host, { memoryMiB: config.reservedMemoryMiB, ports: config.reservedPorts, portsUdp: config.reservedPortsUdp }),
      ...(identity ? { instanceIdentityDocument: identity.document, instanceIdentityDocumentSignature: identity.signature } : {}),
    }, logger);
    store.setMeta(META_CLUSTER, config.cluster);
    store.setMeta(META_CONTAINER_INSTANCE_ARN, containerInstanceArn);
    logger.info({ containerInstanceArn, cluster: config.cluster, reregistered: savedArn === containerInstanceArn }, 'registered container instance');

    const outbox = new StateOutbox({ store, client, logger });
    const images = createImageServices({
      config: config.images, behavior: config.imagePullBehavior, docker, store, logger, pendingImages: () => engine.pendingImages(),
    });
    const engine = new TaskEngine({
      imagePuller: images.puller,
      docker,
      cluster: config.cluster,
      defaultStopTimeoutMs: config.containerStopTimeoutMs,
      imagePullBehavior: config.imagePullBehavior,
      availableLoggingDrivers: config.availableLoggingDrivers,
      taskResources,
      logger,
      // The checkpoint queues each change with the state that produced it; the outbox delivers.
      checkpoint: durableTaskCheckpoint(store, config.cluster),
      onStateChange: () => outbox.kick(),
      // Stopped tasks are cleaned up once their STOPPED left the outbox (acknowledged).
      taskCleanupWaitMs: config.taskCleanupWaitMs,
      isReportPending: (taskArn) => store.outboxHeads().some((e) => e.taskArn === taskArn),
    });
    await engine.start();
    images.cleaner?.start();
    outbox.start();
    const taskCredentials = new TaskCredentialsStore(); // memory only: never written to disk
    const acs = new AcsSession({
      client, cluster: config.cluster, containerInstanceArn, region,
      dockerVersion: dockerInfo.version, store, tasks: engine, logger, credentials: taskCredentials,
      ...(o.acsTiming ? { timing: o.acsTiming } : {}),
    });
    acs.start();

    // Telemetry: stats are polled (never streamed); with ECS_DISABLE_METRICS TCS still connects
    // and reports instance status, but no task metrics (as the real agent).
    const stats = new StatsPoller({ docker, cluster: config.cluster, logger, intervalMs: config.metricsPollIntervalMs });
    if (!config.disableMetrics) stats.start();
    const tcs = new TcsSession({
      client, cluster: config.cluster, containerInstanceArn, region, dockerVersion: dockerInfo.version,
      metrics: stats, disableMetrics: config.disableMetrics, logger, publishIntervalMs: config.metricsPublishIntervalMs,
    });
    tcs.start();

    let closed = false;
    return {
      containerInstanceArn, engine, outbox, acs, client, taskCredentials,
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all([acs.close(), tcs.close()]);
        stats.stop();
        await outbox.close();
        await images.cleaner?.stop();
        await engine.close();
        client.destroy();
        store.close();
        logger.info('agent stopped; tasks left running');
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
