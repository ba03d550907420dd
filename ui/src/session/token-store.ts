const KEY = 'sealbox.token';

/**
 * The token lives in sessionStorage: it survives a reload of the tab but not the tab itself, and
 * other tabs and later visits do not see it (never localStorage, never the URL).
 */
export const tokenStore = {
  read(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined;
  },
  write(token: string): void {
    sessionStorage.setItem(KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
