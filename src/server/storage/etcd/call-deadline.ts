/** gRPC call options carrying only a deadline; the one knob every etcd call here sets. */
export interface CallDeadline {
  readonly deadline: Date;
}

/**
 * One deadline per storage operation, shared by the etcd client's internal retries, so that an
 * operation as a whole fails within the configured request timeout.
 */
export function callDeadline(timeoutMs: number): CallDeadline {
  return { deadline: new Date(Date.now() + timeoutMs) };
}
