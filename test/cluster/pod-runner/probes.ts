import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1ContainerPort, V1ExecAction, V1HTTPGetAction, V1Probe, V1TCPSocketAction } from '@kubernetes/client-node';

/** How a probe or lifecycle hook reaches one container. */
export interface ProbeTarget {
  readonly podIp: string;
  readonly ports: readonly V1ContainerPort[];
  /** Runs argv inside the container's namespaces and environment; resolves with the exit code. */
  exec(argv: readonly string[], timeoutMs: number): Promise<number>;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly message: string;
}

/** The handler part shared by probes and lifecycle hooks. */
export interface ProbeHandler {
  readonly exec?: V1ExecAction;
  readonly httpGet?: V1HTTPGetAction;
  readonly tcpSocket?: V1TCPSocketAction;
}

const KUBELET_USER_AGENT = 'kube-probe/1.37';

export async function runHandler(handler: ProbeHandler, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  try {
    if (handler.httpGet !== undefined) return await httpGet(handler.httpGet, target, timeoutMs);
    if (handler.tcpSocket !== undefined) return await tcpSocket(handler.tcpSocket, target, timeoutMs);
    if (handler.exec !== undefined) {
      const code = await target.exec(handler.exec.command ?? [], timeoutMs);
      return { ok: code === 0, message: `command exited with ${code}` };
    }
    return { ok: false, message: 'probe type not supported by the pod runner (grpc?)' };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export function resolvePort(port: number | string, ports: readonly V1ContainerPort[]): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = ports.find((candidate) => candidate.name === port);
  if (named === undefined) throw new Error(`no container port named "${port}"`);
  return named.containerPort;
}

function httpGet(action: V1HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const https = (action.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': KUBELET_USER_AGENT, Accept: '*/*' };
  for (const header of action.httpHeaders ?? []) headers[header.name] = header.value;
  const options = {
    host: action.host ?? target.podIp,
    port: resolvePort(action.port, target.ports),
    path: action.path ?? '/',
    method: 'GET',
    headers,
    timeout: timeoutMs,
    // The kubelet does not verify the certificate of an HTTPS probe.
    rejectUnauthorized: false,
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(options, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, message: `HTTP probe failed with statuscode: ${status}` });
    });
    req.once('timeout', () => req.destroy(new Error(`HTTP probe timed out after ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

function tcpSocket(action: V1TCPSocketAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(action.port, target.ports);
  return new Promise((resolve) => {
    const socket = connect({ host: action.host ?? target.podIp, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: 'connected' });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${target.podIp}:${port}: timeout` });
    });
    socket.once('error', (error) => resolve({ ok: false, message: error.message }));
  });
}

export interface ProbeLoop {
  stop(): void;
}

/**
 * Runs a probe on its schedule (initialDelaySeconds, periodSeconds, timeoutSeconds) and reports
 * when its verdict flips after successThreshold successes or failureThreshold failures.
 * `initial` is the verdict before any threshold is reached: false for readiness and startup,
 * true for liveness.
 */
export function startProbeLoop(
  probe: V1Probe,
  target: ProbeTarget,
  initial: boolean,
  onVerdict: (ok: boolean, result: ProbeResult) => void,
): ProbeLoop {
  const period = (probe.periodSeconds ?? 10) * 1000;
  const timeout = (probe.timeoutSeconds ?? 1) * 1000;
  const successThreshold = probe.successThreshold ?? 1;
  const failureThreshold = probe.failureThreshold ?? 3;
  let verdict = initial;
  let successes = 0;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const result = await runHandler(probe, target, timeout);
    if (stopped) return;
    successes = result.ok ? successes + 1 : 0;
    failures = result.ok ? 0 : failures + 1;
    if (!verdict && successes >= successThreshold) {
      verdict = true;
      onVerdict(true, result);
    } else if (verdict && failures >= failureThreshold) {
      verdict = false;
      onVerdict(false, result);
    } else if (!verdict && failures >= failureThreshold && failures % failureThreshold === 0) {
      onVerdict(false, result);
    }
    if (!stopped) timer = setTimeout(() => void tick(), period);
  };
  timer = setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
