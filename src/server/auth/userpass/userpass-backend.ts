import { SealboxError } from '../../../lib/errors.ts';
import { FieldData } from '../../logical/field-data.ts';
import type { BackendFactory } from '../../logical/logical-backend.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import { PathTable } from '../../logical/path-table.ts';
import type { LegacyTokenField } from '../token-fields.ts';
import { DEFAULT_TOKEN_SETTINGS, parseTokenFields, tokenFieldsData, tokenGrantParts } from '../token-fields.ts';
import { addressAllowed } from '../../../lib/cidr.ts';
import { hashPassword, isBcryptHash, passwordMatches } from './password-hash.ts';
import { deleteUser, listUsers, normalizeUsername, readUser, writeUser } from './user-store.ts';
import { tableBackend } from '../../logical/table-backend.ts';

/** Vault's GenericNameRegex: word characters, with dots and dashes inside. */
const NAME = String.raw`\w(?:[\w.-]*\w)?`;
const LEGACY_FIELDS: readonly LegacyTokenField[] = ['policies', 'ttl', 'max_ttl', 'bound_cidrs'];

/** The userpass auth method (vault-api.md 7.4): users with bcrypt-hashed passwords. */
export const userpassBackendFactory: BackendFactory = () => {
  const table = new PathTable([
    { pattern: 'users/?', operations: { list: listHandler } },
    {
      pattern: `users/(?<username>${NAME})`,
      operations: { update: writeHandler, read: readHandler, delete: deleteHandler },
      exists: async (request, fields) => (await readUser(request.storage, usernameOf(fields))) !== undefined,
    },
    { pattern: `users/(?<username>${NAME})/password`, operations: { update: passwordHandler } },
    { pattern: `users/(?<username>${NAME})/policies`, operations: { update: policiesHandler } },
    { pattern: `login/(?<username>${NAME})`, operations: { update: loginHandler } },
  ]);
  return tableBackend(table, { unauthenticatedPaths: ['login', 'login/*'] });
};

async function listHandler(request: BackendRequest): Promise<LogicalResponse> {
  return { data: { keys: await listUsers(request.storage) } };
}

async function readHandler(request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> {
  const user = await readUser(request.storage, usernameOf(fields));
  if (user === undefined) return undefined;
  return { data: tokenFieldsData(user.token) };
}

async function writeHandler(request: BackendRequest, fields: FieldData): Promise<undefined> {
  const username = usernameOf(fields);
  const existing = await readUser(request.storage, username);
  // Token fields first: a bad request fails before paying for a bcrypt hash.
  const token = parseTokenFields(fields, existing?.token ?? DEFAULT_TOKEN_SETTINGS, LEGACY_FIELDS);
  const passwordHash = (await passwordHashFrom(fields, existing === undefined)) ?? existing?.passwordHash;
  if (passwordHash === undefined) throw missingPassword();
  await writeUser(request.storage, username, { passwordHash, token });
  return undefined;
}

async function deleteHandler(request: BackendRequest, fields: FieldData): Promise<undefined> {
  await deleteUser(request.storage, usernameOf(fields));
  return undefined;
}

async function passwordHandler(request: BackendRequest, fields: FieldData): Promise<undefined> {
  const username = usernameOf(fields);
  const user = await readUser(request.storage, username);
  if (user === undefined) throw new SealboxError('invalid_request', 'username does not exist');
  const passwordHash = await passwordHashFrom(fields, true);
  if (passwordHash === undefined) throw missingPassword();
  await writeUser(request.storage, username, { ...user, passwordHash });
  return undefined;
}

async function policiesHandler(request: BackendRequest, fields: FieldData): Promise<undefined> {
  const username = usernameOf(fields);
  const user = await readUser(request.storage, username);
  if (user === undefined) throw new SealboxError('invalid_request', 'username does not exist');
  if (!fields.has('token_policies') && !fields.has('policies')) throw new SealboxError('invalid_request', 'missing token_policies');
  // Only the policy fields count here, whatever else the body carries.
  const policyFields = new FieldData({ token_policies: fields.raw['token_policies'], policies: fields.raw['policies'] });
  const token = parseTokenFields(policyFields, user.token, ['policies']);
  await writeUser(request.storage, username, { ...user, token });
  return undefined;
}

async function loginHandler(request: BackendRequest, fields: FieldData): Promise<LogicalResponse> {
  const username = normalizeUsername(usernameOf(fields));
  const password = fields.string('password');
  if (password === undefined || password === '') throw missingPassword();
  const user = await readUser(request.storage, username);
  const matches = await passwordMatches(password, user?.passwordHash);
  if (!matches || user === undefined) throw new SealboxError('invalid_request', 'invalid username or password');
  if (!addressAllowed(request.remoteAddress, user.token.boundCidrs)) throw new SealboxError('permission_denied', 'permission denied');
  return {
    login: {
      ...tokenGrantParts(user.token),
      metadata: { username },
      displayName: username,
      aliasName: username,
    },
  };
}

/**
 * The bcrypt hash to store from `password` or `password_hash`, or undefined when neither is given
 * and none is required.
 */
async function passwordHashFrom(fields: FieldData, required: boolean): Promise<string | undefined> {
  const password = fields.string('password');
  const givenHash = fields.string('password_hash');
  if (password !== undefined && password !== '' && givenHash !== undefined && givenHash !== '') {
    throw new SealboxError('invalid_request', 'only one of password or password_hash may be provided');
  }
  if (givenHash !== undefined && givenHash !== '') {
    if (!isBcryptHash(givenHash)) throw new SealboxError('invalid_request', 'password_hash is not a bcrypt hash');
    return givenHash;
  }
  if (password === undefined && !required) return undefined;
  if (password === undefined || password === '') throw missingPassword();
  return hashPassword(password);
}

function usernameOf(fields: FieldData): string {
  return fields.string('username') ?? '';
}

function missingPassword(): SealboxError {
  return new SealboxError('invalid_request', 'missing password');
}
