import type { LogicalResponse } from '../logical/logical-response.ts';

/** Vault's response envelope, field for field. */
export function envelope(requestId: string, response: LogicalResponse, mountType: string): Record<string, unknown> {
  const data = response.data ?? null;
  const body: Record<string, unknown> = response.dataAtTopLevel === true && data !== null ? { ...data } : {};
  return Object.assign(body, {
    request_id: requestId,
    lease_id: '',
    renewable: response.renewable ?? false,
    lease_duration: response.leaseDuration ?? 0,
    data,
    wrap_info: null,
    warnings: response.warnings === undefined || response.warnings.length === 0 ? null : response.warnings,
    auth: response.auth ?? null,
    mount_type: mountType,
  });
}

/** Vault answers 404 to a read or list that found nothing, including a list without keys. */
export function isEmptyResult(response: LogicalResponse | undefined, operation: string): boolean {
  if (response === undefined) return true;
  if (operation !== 'list') return false;
  const keys = response.data?.['keys'];
  const otherData = Object.keys(response.data ?? {}).some((key) => key !== 'keys');
  return (!Array.isArray(keys) || keys.length === 0) && !otherData && (response.warnings?.length ?? 0) === 0;
}
