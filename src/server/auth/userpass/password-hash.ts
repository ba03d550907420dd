import bcrypt from 'bcryptjs';

/** Vault's bcrypt cost for userpass passwords. */
const BCRYPT_COST = 10;

/**
 * A bcrypt hash of cost 10 whose password nobody knows: unknown users are compared against it so
 * that a login takes as long whether or not the user exists.
 */
const DUMMY_HASH = '$2b$10$RTHCPkIBv9tM5W.lZvGwJO8VNEAdk/ENVtjLsUlaH/wG/Ez2ddhMC';

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/** Compares against `hash`, or against a dummy hash when there is no user, in about the same time. */
export async function passwordMatches(password: string, hash: string | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return hash !== undefined && matches;
}

export function isBcryptHash(value: string): boolean {
  return BCRYPT_HASH.test(value);
}
