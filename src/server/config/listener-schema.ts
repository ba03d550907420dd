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
import { DEFAULT_JSON_LIMITS } from '../http/json-limits.ts';

const DEFAULT_ADDRESS = '127.0.0.1:8200';
const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;
const DEFAULT_MAX_REQUEST_DURATION_MS = 90_000;
// Vault's http_read_header_timeout and http_idle_timeout defaults: a slow client cannot hold a
// connection open by trickling its headers.
const DEFAULT_READ_HEADER_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
// Vault accepts tls10 and tls11 too; Sealbox refuses anything below TLS 1.2.
const TLS_MIN_VERSIONS = { tls12: 'TLSv1.2', tls13: 'TLSv1.3' } as const;

/** What a listener block without these keys gets: Vault's timeouts, TLS 1.2 and Vault's JSON limits. */
export const LISTENER_HARDENING_DEFAULTS = {
  readHeaderTimeoutMs: DEFAULT_READ_HEADER_TIMEOUT_MS,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  tlsMinVersion: TLS_MIN_VERSIONS.tls12,
  jsonLimits: DEFAULT_JSON_LIMITS,
} as const satisfies Pick<ListenerConfig, 'readHeaderTimeoutMs' | 'idleTimeoutMs' | 'tlsMinVersion' | 'jsonLimits'>;

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
      http_read_header_timeout: durationMs.default(DEFAULT_READ_HEADER_TIMEOUT_MS),
      http_idle_timeout: durationMs.default(DEFAULT_IDLE_TIMEOUT_MS),
      tls_min_version: z
        .enum(['tls12', 'tls13'], { error: 'expected tls12 or tls13 (TLS 1.0 and 1.1 are not supported)' })
        .default('tls12'),
      // Vault reads 0 (or less) as "use the default".
      max_json_depth: byteCount.default(0),
      max_json_string_value_length: byteCount.default(0),
      max_json_object_entry_count: byteCount.default(0),
      max_json_array_element_count: byteCount.default(0),
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
        readHeaderTimeoutMs: listener.http_read_header_timeout || DEFAULT_READ_HEADER_TIMEOUT_MS,
        idleTimeoutMs: listener.http_idle_timeout || DEFAULT_IDLE_TIMEOUT_MS,
        tlsMinVersion: TLS_MIN_VERSIONS[listener.tls_min_version],
        jsonLimits: {
          maxDepth: positiveOr(listener.max_json_depth, DEFAULT_JSON_LIMITS.maxDepth),
          maxStringValueLength: positiveOr(listener.max_json_string_value_length, DEFAULT_JSON_LIMITS.maxStringValueLength),
          maxObjectEntryCount: positiveOr(listener.max_json_object_entry_count, DEFAULT_JSON_LIMITS.maxObjectEntryCount),
          maxArrayElementCount: positiveOr(listener.max_json_array_element_count, DEFAULT_JSON_LIMITS.maxArrayElementCount),
        },
        unauthenticatedMetricsAccess: listener.telemetry?.unauthenticated_metrics_access ?? false,
      }),
    );
}

function positiveOr(value: number, fallback: number): number {
  return value > 0 ? value : fallback;
}

/** Vault: 0 means the 32 MiB default and a negative size turns the limit off. */
function requestSizeLimit(bytes: number): number {
  if (bytes === 0) return DEFAULT_MAX_REQUEST_SIZE;
  return bytes < 0 ? Number.POSITIVE_INFINITY : bytes;
}
