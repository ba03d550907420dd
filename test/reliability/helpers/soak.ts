/**
 * The reliability suites run bounded in CI; SEALBOX_SOAK=1 runs them ten times longer (more fuzz
 * cases, more kill rounds) for a soak on a quiet machine.
 */
export function soakEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['SEALBOX_SOAK'] === '1';
}

/** `ciRuns` normally, ten times as many under SEALBOX_SOAK=1. */
export function fuzzRuns(ciRuns: number, env: NodeJS.ProcessEnv = process.env): number {
  return soakEnabled(env) ? ciRuns * 10 : ciRuns;
}
