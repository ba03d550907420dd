import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/api-client.ts';

export interface Session {
  readonly token: string | undefined;
  readonly api: ApiClient;
  logIn(token: string): void;
  logOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside of SessionContext');
  return session;
}
