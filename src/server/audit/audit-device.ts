import type { AuditInput } from './audit-input.ts';

/** One enabled audit device, as the broker uses it. */
export interface AuditDevice {
  /** The device's path in the audit table (`file/`). */
  readonly path: string;
  logRequest(input: AuditInput): Promise<void>;
  logResponse(input: AuditInput): Promise<void>;
  /** The entry written when the device is enabled. */
  logTestMessage(): Promise<void>;
  /** `hmac-sha256:<hex>` of `value` under the device's salt (sys/audit-hash). */
  hash(value: string): string;
  /** Hex of the key that links this device's lines (sys/audit/<path>/chain-key). */
  chainKey(): string;
  /** Log rotation: closes and opens the destination between two lines. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}
