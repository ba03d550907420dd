import type { Context } from 'koa';
import { Router } from '@koa/router';
import { SealboxError } from '../../lib/errors.ts';
import { uuid } from '../../lib/random-id.ts';
import type { Core } from '../core/core.ts';
import type { LogicalRequest } from '../logical/logical-request.ts';
import { healthHandler } from './health-route.ts';
import { RawFields } from './raw-fields.ts';
import type { JsonLimits } from './json-limits.ts';
import { readBody } from './read-body.ts';
import { sendErrors, sendJson, sendNoContent } from './respond.ts';
import { requestToken } from './request-token.ts';

export interface SysRoutesOptions {
  readonly core: Core;
  readonly maxRequestSize: number;
  readonly jsonLimits?: JsonLimits;
}

type Handler = (ctx: Context) => Promise<void>;

/**
 * Vault's "raw" sys handlers: answered whatever the seal state, with their own bodies rather
 * than the logical envelope. Other methods get 405 with an empty errors list.
 */
export function sysRoutes(options: SysRoutesOptions): Router {
  const { core, maxRequestSize, jsonLimits } = options;
  const router = new Router({ prefix: '/v1/sys' });
  const route = (path: string, handlers: Readonly<Record<string, Handler>>) => {
    router.all(path, async (ctx) => {
      const handler = handlers[ctx.method === 'POST' ? 'PUT' : ctx.method];
      if (handler === undefined) return sendErrors(ctx, 405, []);
      await handler(ctx as unknown as Context);
    });
  };

  route('/init', {
    GET: async (ctx) => sendJson(ctx, 200, { initialized: await core.isInitialized() }),
    PUT: async (ctx) => {
      const fields = new RawFields(await readBody(ctx, maxRequestSize, jsonLimits));
      const result = await core.initialize({
        secretShares: fields.int('secret_shares') ?? 0,
        secretThreshold: fields.int('secret_threshold') ?? 0,
        ...optional('pgpKeys', fields.strings('pgp_keys')),
        ...optional('rootTokenPgpKey', fields.string('root_token_pgp_key')),
        ...optional('recoveryShares', fields.int('recovery_shares')),
        ...optional('recoveryThreshold', fields.int('recovery_threshold')),
      });
      sendJson(ctx, 200, result);
    },
  });

  route('/seal-status', { GET: async (ctx) => sendJson(ctx, 200, await core.sealStatus()) });

  route('/unseal', {
    PUT: async (ctx) => {
      const fields = new RawFields(await readBody(ctx, maxRequestSize, jsonLimits));
      if (fields.bool('migrate') === true) {
        throw new SealboxError('invalid_request', 'seal migration is not supported by this server');
      }
      sendJson(ctx, 200, await core.submitUnsealKey(fields.string('key'), fields.bool('reset') ?? false));
    },
  });

  route('/step-down', {
    PUT: async (ctx) => {
      await core.stepDown(nodeOperation(ctx, 'sys/step-down'));
      sendNoContent(ctx);
    },
  });

  route('/seal', {
    PUT: async (ctx) => {
      await core.seal(nodeOperation(ctx, 'sys/seal'));
      sendNoContent(ctx);
    },
  });

  const health = healthHandler(core);
  route('/health', { GET: health, HEAD: health });

  route('/leader', {
    GET: async (ctx) => {
      sendJson(ctx, 200, await core.leader());
    },
  });

  // Rekey and generate-root: unauthenticated, since a quorum of unseal shares is the authority.
  const fieldsOf = async (ctx: Context) => new RawFields(await readBody(ctx, maxRequestSize, jsonLimits));

  route('/rekey/init', {
    GET: async (ctx) => sendJson(ctx, 200, await core.rekey((rekey) => rekey.status())),
    PUT: async (ctx) => {
      const fields = await fieldsOf(ctx);
      const request = {
        secretShares: fields.int('secret_shares') ?? 0,
        secretThreshold: fields.int('secret_threshold') ?? 0,
        ...optional('pgpKeys', fields.strings('pgp_keys')),
        ...optional('backup', fields.bool('backup')),
        ...optional('requireVerification', fields.bool('require_verification')),
      };
      sendJson(ctx, 200, await core.rekey((rekey) => rekey.start(request)));
    },
    DELETE: async (ctx) => {
      const nonce = (await fieldsOf(ctx)).string('nonce');
      await core.rekey(async (rekey) => rekey.cancel(nonce));
      sendNoContent(ctx);
    },
  });

  route('/rekey/update', {
    PUT: async (ctx) => {
      const fields = await fieldsOf(ctx);
      sendJson(ctx, 200, await core.rekey((rekey) => rekey.update(fields.string('key'), fields.string('nonce') ?? '')));
    },
  });

  route('/rekey/verify', {
    GET: async (ctx) => sendJson(ctx, 200, await core.rekey((rekey) => rekey.verificationStatus())),
    PUT: async (ctx) => {
      const fields = await fieldsOf(ctx);
      sendJson(ctx, 200, await core.rekey((rekey) => rekey.verify(fields.string('key'), fields.string('nonce') ?? '')));
    },
    DELETE: async (ctx) => sendJson(ctx, 200, await core.rekey((rekey) => rekey.restartVerification())),
  });

  // Recovery keys exist only with auto-unseal seals.
  const noRecoveryKeys: Handler = async () => {
    throw new SealboxError('invalid_request', 'recovery rekeying not supported');
  };
  for (const path of ['/rekey-recovery-key/init', '/rekey-recovery-key/update', '/rekey-recovery-key/verify']) {
    route(path, { GET: noRecoveryKeys, PUT: noRecoveryKeys, DELETE: noRecoveryKeys });
  }

  route('/generate-root/attempt', {
    GET: async (ctx) => sendJson(ctx, 200, await core.generateRoot((generate) => generate.status())),
    PUT: async (ctx) => {
      const fields = await fieldsOf(ctx);
      sendJson(ctx, 200, await core.generateRoot((generate) => generate.start(fields.string('otp'), fields.string('pgp_key'))));
    },
    DELETE: async (ctx) => {
      await core.generateRoot(async (generate) => generate.cancel());
      sendNoContent(ctx);
    },
  });

  route('/generate-root/update', {
    PUT: async (ctx) => {
      const fields = await fieldsOf(ctx);
      sendJson(ctx, 200, await core.generateRoot((generate) => generate.update(fields.string('key'), fields.string('nonce') ?? '')));
    },
  });

  return router;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** sys/seal and sys/step-down as the request the core audits and authorizes; they take no data. */
function nodeOperation(ctx: Context, path: string): LogicalRequest {
  return {
    id: uuid(),
    operation: 'update',
    path,
    data: {},
    clientToken: requestToken(ctx) ?? '',
    remoteAddress: ctx.req.socket.remoteAddress ?? '',
    remotePort: ctx.req.socket.remotePort ?? 0,
  };
}
