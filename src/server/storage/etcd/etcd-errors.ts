import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from 'etcd3';
import { SealboxError } from '../../../lib/errors.ts';

/**
 * The client-safe form of an etcd client failure. A request etcd refuses for its shape (too large,
 * too many operations) is the caller's to fix, and etcd's message for it names no key or value;
 * everything else means the storage cannot serve us: storage_unavailable with a short reason.
 */
export function etcdError(action: string, error: unknown): SealboxError {
  if (error instanceof SealboxError) return error;
  const message = error instanceof Error ? error.message : '';
  if (/request is too large|larger than max/.test(message)) {
    return new SealboxError('payload_too_large', `etcd rejected ${action}: ${message}`, { cause: error });
  }
  if (error instanceof GRPCInvalidArgumentError && /too many operations in txn request/.test(message)) {
    return new SealboxError('invalid_request', `etcd rejected ${action}: ${message}`, { cause: error });
  }
  return new SealboxError('storage_unavailable', `storage unavailable: ${action} failed (${reason(error)})`, {
    cause: error,
  });
}

function reason(error: unknown): string {
  if (error instanceof GRPCDeadlineExceededError) return 'etcd did not answer in time';
  if (error instanceof GRPCUnavailableError || isBrokenCircuit(error)) return 'etcd is unreachable';
  if (error instanceof EtcdPermissionDeniedError) return 'permission denied by etcd';
  if (isAuthenticationFailure(error)) return 'etcd authentication failed';
  if (error instanceof ClientClosedError) return 'the etcd client is closed';
  return 'etcd error';
}

function isAuthenticationFailure(error: unknown): boolean {
  return (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof GRPCUnauthenticatedError ||
    // etcd's answer to a request without credentials once auth is enabled.
    (error instanceof GRPCInvalidArgumentError && /user name is empty/.test(error.message))
  );
}

// cockatiel (etcd3's fault handling) opens a per-host circuit after repeated failures; it is not a
// direct dependency, so its error is recognised by its marker rather than its class.
function isBrokenCircuit(error: unknown): boolean {
  return (error as { isBrokenCircuitError?: unknown } | null)?.isBrokenCircuitError === true;
}
