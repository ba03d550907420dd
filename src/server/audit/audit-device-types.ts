import { fileWriterFactory } from './devices/file-device.ts';
import { socketWriterFactory } from './devices/socket-device.ts';
import type { LineWriterFactory } from './line-writer.ts';

/** Device types by name. Vault's `syslog` is not offered: Node has no client for the local syslog socket. */
export function auditDeviceTypes(): ReadonlyMap<string, LineWriterFactory> {
  return new Map([
    ['file', fileWriterFactory],
    ['socket', socketWriterFactory],
  ]);
}
