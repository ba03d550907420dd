import type { Context } from 'koa';

/** X-Vault-Token, else `Authorization: Bearer <token>` (case-sensitive prefix, as in Vault). */
export function requestToken(ctx: Context): string | undefined {
  const header = ctx.get('X-Vault-Token');
  if (header !== '') return header;
  const authorization = ctx.get('Authorization');
  return authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
}
