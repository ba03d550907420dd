/**
 * Vault's Prometheus name for a dotted metric key (vault-api.md 12.2): the parts joined with `_`,
 * and every character outside [a-zA-Z0-9_] replaced by `_` (`vault.route.read.secret-` ->
 * `vault_route_read_secret_`).
 */
export function prometheusName(key: string): string {
  return key.replaceAll('.', '_').replaceAll(/[^a-zA-Z0-9_]/g, '_');
}
