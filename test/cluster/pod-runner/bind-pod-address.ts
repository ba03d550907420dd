// Loaded with `node --import` into Node containers that the pod runner starts. Pods share the
// machine's network, each with its own loopback address (SEALBOX_POD_IP); a server listening on
// every address (no host, 0.0.0.0 or ::) would take the port from every other pod, so such a
// listen is narrowed to the pod's address, which is what it would mean inside a pod.
import { Server } from 'node:net';

const podIp = process.env['SEALBOX_POD_IP'];
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

if (podIp !== undefined && podIp !== '') {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function listenOnPodAddress(this: Server, ...args: unknown[]) {
    return (listen as (...a: unknown[]) => Server).apply(this, narrowed(args, podIp));
  } as typeof Server.prototype.listen;
}

function narrowed(args: unknown[], ip: string): unknown[] {
  const [first, second, ...rest] = args;
  if (typeof first === 'object' && first !== null && 'port' in first) {
    const options = first as { host?: unknown; path?: unknown };
    if (options.path !== undefined) return args;
    if (options.host === undefined || WILDCARDS.has(String(options.host))) return [{ ...first, host: ip }, second, ...rest].slice(0, args.length);
    return args;
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof second === 'string') return WILDCARDS.has(second) ? [first, ip, ...rest] : args;
    return [first, ip, ...args.slice(1)];
  }
  return args;
}
