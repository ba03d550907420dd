import { EVEN_AFTER_FIELD_ERRORS, blockObject, singleBlock, type UnknownKeys } from './block-shape.ts';
import { ifDefined } from './if-defined.ts';
import { listenersSchema } from './listener-schema.ts';
import type { ServerConfig } from './server-config.ts';
import { storageSchema } from './storage-schema.ts';
import { boolish, durationMs, hostPort, httpUrl, logLevel, optionalText } from './vault-values.ts';

/** Vault's prometheus_retention_time inside a telemetry block that does not set it. */
const DEFAULT_PROMETHEUS_RETENTION_MS = 24 * 60 * 60 * 1_000;

/** The whole config document, in Vault's field names, to a ServerConfig. */
export function configSchema(unknownKeys: UnknownKeys) {
  const telemetry = blockObject(
    {
      prometheus_retention_time: durationMs.optional(),
      disable_hostname: boolish.default(false),
      metrics_address: hostPort.optional(),
    },
    unknownKeys,
  );
  return blockObject(
    {
      listener: listenersSchema(unknownKeys).optional(),
      storage: storageSchema(unknownKeys).optional(),
      backend: storageSchema(unknownKeys).optional(),
      api_addr: httpUrl.optional(),
      cluster_addr: httpUrl.optional(),
      cluster_name: optionalText,
      disable_mlock: boolish.default(false),
      disable_cache: boolish.default(false),
      ui: boolish.default(false),
      log_level: logLevel.default('info'),
      telemetry: singleBlock(telemetry, 'telemetry').optional(),
    },
    unknownKeys,
  )
    .superRefine((config, ctx) => {
      const problem = (key: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [key], message });
      if (config.storage !== undefined && config.backend !== undefined) {
        problem('backend', 'backend is the older name of storage; use one of them');
      } else if (config.storage === undefined && config.backend === undefined) {
        problem('storage', 'a storage block is required (inmem, file or etcd)');
      }
      const listeners = config.listener;
      if (listeners === undefined || (Array.isArray(listeners) && listeners.length === 0)) {
        problem('listener', 'at least one listener block is required');
      }
      const telemetry: unknown = config.telemetry;
      if (isMetricsListenerWithoutPrometheus(telemetry)) {
        ctx.addIssue({
          code: 'custom',
          path: ['telemetry', 'metrics_address'],
          message: 'the metrics listener serves Prometheus metrics, which prometheus_retention_time = 0 turns off',
        });
      }
    }, EVEN_AFTER_FIELD_ERRORS)
    .transform((config): ServerConfig => {
      // As in Vault: no telemetry block, no Prometheus; a block without the key, 24 hours.
      const retentionMs = config.telemetry === undefined ? 0 : (config.telemetry.prometheus_retention_time ?? DEFAULT_PROMETHEUS_RETENTION_MS);
      return {
        listeners: config.listener ?? [],
        // Never undefined here: the refinement reports a missing block, and zod runs no
        // transform after an issue.
        storage: (config.storage ?? config.backend)!,
        ...ifDefined('apiAddr', config.api_addr),
        ...ifDefined('clusterAddr', config.cluster_addr),
        ...ifDefined('clusterName', config.cluster_name),
        disableMlock: config.disable_mlock,
        ...(config.disable_cache ? { disableCache: true } : {}),
        ui: config.ui,
        logLevel: config.log_level,
        telemetry: {
          // Whole seconds, rounded up so a sub-second retention does not switch metrics off.
          prometheusRetentionSeconds: Math.ceil(retentionMs / 1_000),
          disableHostname: config.telemetry?.disable_hostname ?? false,
          ...ifDefined('metricsAddress', config.telemetry?.metrics_address),
        },
      };
    });
}

/** Reads the raw block too: the refinement runs even when a field failed. */
function isMetricsListenerWithoutPrometheus(telemetry: unknown): boolean {
  if (telemetry === null || typeof telemetry !== 'object') return false;
  const { metrics_address: address, prometheus_retention_time: retention } = telemetry as Record<string, unknown>;
  return typeof address === 'string' && retention === 0;
}
