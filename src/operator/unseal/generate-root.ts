import { decodeRootToken } from '../../cli/root-token-otp.ts';
import type { PodAddress, ServerClient } from './server-client.ts';
import { errorText } from './server-client.ts';

/**
 * A short-lived root token from the key shares (sys/generate-root with a server-made OTP), on the
 * active pod. An attempt already in progress is cancelled first: the operator holds the shares and
 * is the only expected user of this. The caller revokes the token when done.
 */
export async function generateRootToken(client: ServerClient, active: PodAddress, shares: readonly string[], threshold: number): Promise<{ readonly token: string; readonly cancelledOther: boolean }> {
  const status = await client.call(active, 'GET', 'sys/generate-root/attempt');
  if (status.status !== 200) throw new Error(`generate-root status: ${errorText(status)}`);
  const cancelledOther = status.body['started'] === true;
  if (cancelledOther) {
    const cancelled = await client.call(active, 'DELETE', 'sys/generate-root/attempt');
    if (cancelled.status >= 300) throw new Error(`generate-root cancel: ${errorText(cancelled)}`);
  }
  const started = await client.call(active, 'PUT', 'sys/generate-root/attempt', {});
  if (started.status !== 200) throw new Error(`generate-root start: ${errorText(started)}`);
  const nonce = String(started.body['nonce'] ?? '');
  const otp = String(started.body['otp'] ?? '');
  const otpLength = Number(started.body['otp_length'] ?? 0);
  for (const share of shares.slice(0, threshold)) {
    const answer = await client.call(active, 'PUT', 'sys/generate-root/update', { key: share, nonce });
    if (answer.status !== 200) throw new Error(`generate-root update: ${errorText(answer)}`);
    if (answer.body['complete'] === true) {
      return { token: decodeRootToken(String(answer.body['encoded_token'] ?? ''), otp, otpLength), cancelledOther };
    }
  }
  throw new Error('generate-root did not complete with the threshold of key shares');
}
