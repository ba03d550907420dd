import { z } from 'zod';
import {
  EVEN_AFTER_FIELD_ERRORS,
  blockObject,
  groupByLabel,
  rejectUnsupportedLabels,
  singleBlock,
  type UnknownKeys,
} from './block-shape.ts';
import { ifDefined } from './if-defined.ts';
import type { ListenerConfig } from './server-config.ts';
import { boolish, byteCount, durationMs, hostPort, optionalText } from './vault-values.ts';

const DEFAULT_ADDRESS = '127.0.0.1:8200';
const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;
const DEFAULT_MAX_REQUEST_DURATION_MS = 90_000;

/** `listener "tcp" {...}` blocks, any number of them, as a list of ListenerConfig. */
export function listenersSchema(unknownKeys: UnknownKeys) {
  return z.preprocess(
    groupByLabel,
    z
      .looseObject({ tcp: z.array(tcpListenerSchema(unknownKeys)).optional() })
      .superRefine(rejectUnsupportedLabels('listener', ['tcp']), EVEN_AFTER_FIELD_ERRORS)
      .transform((blocks): ListenerConfig[] => blocks.tcp ?? []),
  );
}

function tcpListenerSchema(unknownKeys: UnknownKeys) {
  const telemetry = blockObject({ unauthenticated_metrics_access: boolish.default(false) }, unknownKeys);
  return blockObject(
    {
      address: hostPort.default(DEFAULT_ADDRESS),
      tls_disable: boolish.default(false),
      tls_cert_file: optionalText,
      tls_key_file: optionalText,
      // Vault reads 0 as "use the default"; see the transform.
      max_request_size: byteCount.default(0),
      max_request_duration: durationMs.default(0),
      telemetry: singleBlock(telemetry, 'telemetry').optional(),
    },
    unknownKeys,
  )
    .superRefine((listener, ctx) => {
      // Only when tls_disable parsed as false: an unreadable tls_disable is its own problem.
      if (listener.tls_disable !== false) return;
      for (const key of ['tls_cert_file', 'tls_key_file'] as const) {
        if (listener[key] !== undefined) continue;
        ctx.addIssue({ code: 'custom', path: [key], message: 'required unless tls_disable is true' });
      }
    }, EVEN_AFTER_FIELD_ERRORS)
    .transform(
      (listener): ListenerConfig => ({
        type: 'tcp',
        address: listener.address,
        tlsDisable: listener.tls_disable,
        ...ifDefined('tlsCertFile', listener.tls_cert_file),
        ...ifDefined('tlsKeyFile', listener.tls_key_file),
        maxRequestSize: requestSizeLimit(listener.max_request_size),
        maxRequestDurationMs: listener.max_request_duration || DEFAULT_MAX_REQUEST_DURATION_MS,
        unauthenticatedMetricsAccess: listener.telemetry?.unauthenticated_metrics_access ?? false,
      }),
    );
}

/** Vault: 0 means the 32 MiB default and a negative size turns the limit off. */
function requestSizeLimit(bytes: number): number {
  if (bytes === 0) return DEFAULT_MAX_REQUEST_SIZE;
  return bytes < 0 ? Number.POSITIVE_INFINITY : bytes;
}
