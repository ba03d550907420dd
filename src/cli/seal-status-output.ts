import { isSealboxError } from '../lib/errors.ts';
import type { ClientContext } from './client-command.ts';
import { tableOutput } from './columns.ts';
import { numberOf, stringOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The fields of sys/leader the status table shows. */
interface LeaderFields {
  readonly ha_enabled: boolean;
  readonly is_self?: boolean;
  readonly active_time?: string;
  readonly leader_address?: string;
  readonly leader_cluster_address?: string;
}

/**
 * The vault CLI's seal status (`vault status`, and after each `operator unseal`): the seal-status
 * answer plus sys/leader, whose "Vault is sealed" error means HA is on but the node cannot tell.
 * Returns 0, or 1 when sys/leader fails otherwise.
 */
export async function printSealStatus(context: ClientContext, status: Record<string, unknown>): Promise<number> {
  let leader: LeaderFields;
  try {
    leader = leaderFields(await context.client.read('sys/leader'));
  } catch (error) {
    if (!isSealboxError(error) || !error.message.includes('Vault is sealed')) {
      return context.fail('Error checking leader status', error, 1);
    }
    leader = { ha_enabled: true };
  }
  if (context.format === 'json') {
    context.out(jsonOutput(jsonStatus(status, leader)));
    return 0;
  }
  context.out(tableOutput(statusRows(status, leader)));
  return 0;
}

function leaderFields(body: Record<string, unknown>): LeaderFields {
  return {
    ha_enabled: body['ha_enabled'] === true,
    is_self: body['is_self'] === true,
    active_time: stringOf(body['active_time']),
    leader_address: stringOf(body['leader_address']),
    leader_cluster_address: stringOf(body['leader_cluster_address']),
  };
}

function statusRows(status: Record<string, unknown>, leader: LeaderFields): string[] {
  const sealed = status['sealed'] === true;
  const recovery = status['recovery_seal'] === true ? 'Recovery ' : '';
  const rows = [
    'Key | Value',
    `${recovery}Seal Type | ${stringOf(status['type'])}`,
    `Initialized | ${status['initialized'] === true}`,
    `Sealed | ${sealed}`,
    `Total ${recovery}Shares | ${numberOf(status['n'])}`,
    `Threshold | ${numberOf(status['t'])}`,
  ];
  if (sealed) {
    rows.push(`Unseal Progress | ${numberOf(status['progress'])}/${numberOf(status['t'])}`);
    rows.push(`Unseal Nonce | ${stringOf(status['nonce'])}`);
  }
  if (status['migration'] === true) rows.push('Seal Migration in Progress | true');
  rows.push(`Version | ${stringOf(status['version'])}`);
  rows.push(`Build Date | ${stringOf(status['build_date'])}`);
  rows.push(`Storage Type | ${stringOf(status['storage_type'])}`);
  const clusterName = stringOf(status['cluster_name']);
  const clusterId = stringOf(status['cluster_id']);
  if (clusterName !== '' && clusterId !== '') rows.push(`Cluster Name | ${clusterName}`, `Cluster ID | ${clusterId}`);
  rows.push(`HA Enabled | ${leader.ha_enabled}`);
  if (leader.ha_enabled && !sealed) rows.push(...haRows(leader));
  return rows;
}

function haRows(leader: LeaderFields): string[] {
  const rows = [`HA Cluster | ${leader.leader_cluster_address ?? ''}`];
  rows.push(`HA Mode | ${leader.is_self === true ? 'active' : 'standby'}`);
  if (leader.is_self === true && leader.active_time !== undefined && leader.active_time !== '' && leader.active_time !== ZERO_TIME) {
    rows.push(`Active Since | ${leader.active_time}`);
  }
  if (leader.is_self !== true) rows.push(`Active Node Address | ${leader.leader_address || '<none>'}`);
  return rows;
}

/** The vault CLI's JSON: the seal status with the leader fields after it (empty ones left out). */
function jsonStatus(status: Record<string, unknown>, leader: LeaderFields): Record<string, unknown> {
  return {
    ...status,
    ha_enabled: leader.ha_enabled,
    ...(leader.is_self === true ? { is_self: true } : {}),
    active_time: leader.active_time || ZERO_TIME,
    ...(leader.leader_address ? { leader_address: leader.leader_address } : {}),
    ...(leader.leader_cluster_address ? { leader_cluster_address: leader.leader_cluster_address } : {}),
  };
}
