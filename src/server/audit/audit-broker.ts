import { describeError, SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditTelemetry } from '../metrics/telemetry.ts';
import type { AuditDevice } from './audit-device.ts';
import type { AuditInput } from './audit-input.ts';

/** What the request pipeline needs: both calls throw when devices are enabled and none recorded the entry. */
export interface RequestAuditor {
  logRequest(input: AuditInput): Promise<void>;
  logResponse(input: AuditInput): Promise<void>;
}

/**
 * Fans every entry out to all enabled devices and fails closed: with at least one device, an
 * entry that no device recorded is an error, and the client is told only "internal error".
 */
export class AuditBroker implements RequestAuditor {
  readonly #devices = new Map<string, AuditDevice>();
  readonly #logger: Logger;
  readonly #telemetry: AuditTelemetry | undefined;

  constructor(logger: Logger, telemetry?: AuditTelemetry) {
    this.#logger = logger;
    this.#telemetry = telemetry;
  }

  register(device: AuditDevice): void {
    this.#devices.set(device.path, device);
  }

  deregister(path: string): AuditDevice | undefined {
    const device = this.#devices.get(path);
    this.#devices.delete(path);
    return device;
  }

  device(path: string): AuditDevice | undefined {
    return this.#devices.get(path);
  }

  devices(): AuditDevice[] {
    return [...this.#devices.values()];
  }

  logRequest(input: AuditInput): Promise<void> {
    return this.#fanOut('request', (device) => device.logRequest(input));
  }

  logResponse(input: AuditInput): Promise<void> {
    return this.#fanOut('response', (device) => device.logResponse(input));
  }

  async #fanOut(kind: 'request' | 'response', log: (device: AuditDevice) => Promise<void>): Promise<void> {
    const devices = this.devices();
    if (devices.length === 0) return;
    const results = await Promise.allSettled(devices.map(log));
    let recorded = 0;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') recorded++;
      else this.#logger.error(`audit device failed to log the ${kind}`, { device: devices[index]!.path, error: describeError(result.reason) });
    });
    if (recorded > 0) return;
    this.#telemetry?.auditFailure(kind);
    throw new SealboxError('internal', `no audit backend succeeded in logging the ${kind}`);
  }
}
