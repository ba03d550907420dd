import type { BackendFactory } from '../logical/logical-backend.ts';
import { approleBackendFactory } from './approle/approle-backend.ts';
import { kubernetesBackendFactory } from './kubernetes/kubernetes-backend.ts';
import { userpassBackendFactory } from './userpass/userpass-backend.ts';

/** The credential auth methods by mount type; the token store is mounted by the core itself. */
export function authMethodFactories(): Map<string, BackendFactory> {
  return new Map<string, BackendFactory>([
    ['userpass', userpassBackendFactory],
    ['approle', approleBackendFactory],
    ['kubernetes', kubernetesBackendFactory()],
  ]);
}
