import type { BuildInfo } from './core/node-status.ts';

/**
 * Clients and tools gate features on the server's Vault version, so Sealbox reports the Vault API
 * version it implements, with its own version as semver build metadata.
 */
export const SEALBOX_VERSION = '0.1.0';

export const BUILD_INFO: BuildInfo = {
  version: `1.17.0+sealbox.${SEALBOX_VERSION}`,
  buildDate: '2026-11-27T00:00:00Z',
};
