import type { ClientContext } from './client-command.ts';
import { CLIENT_OPTIONS, clientCommand, messageOf } from './client-command.ts';
import { columnOutput } from './columns.ts';
import { numberOf, stringOf } from './json-values.ts';
import { jsonOutput } from './output-format.ts';
import { readStandardInput } from './read-secret.ts';
import { decodeRootToken, generateOtp } from './root-token-otp.ts';
import { provideShare } from './share-input.ts';
import { wrapAtLength } from './wrap-text.ts';

const ATTEMPT = 'sys/generate-root/attempt';

const USAGE = `Usage: sealbox operator generate-root [options] [KEY]

  Generates a new root token once a quorum of unseal key holders provides their shares. The token
  comes back XORed with a one-time password (OTP), which -decode undoes locally.

      $ sealbox operator generate-root -init                 (the server makes the OTP and shows it)
      $ sealbox operator generate-root -nonce=NONCE KEY      (once per share holder)
      $ sealbox operator generate-root -decode=ENCODED -otp=OTP

  KEY may be "-" to read it from standard input; without KEY it is prompted for at a terminal.

  -init            start a root token generation (with -otp to use your own OTP)
  -generate-otp    print an OTP of the length the server wants, for -init -otp
  -otp OTP         the OTP, for -init or -decode
  -decode ENCODED  decode the encoded token with -otp ("-" reads it from standard input)
  -nonce NONCE     the generation's nonce, needed with each share given as KEY or "-"
  -status          print the status of the current generation
  -cancel          cancel the current generation

${CLIENT_OPTIONS}`;

/** `sealbox operator generate-root`, as `vault operator generate-root` (OTP mode). */
export const operatorGenerateRootCommand = clientCommand(
  {
    usage: USAGE,
    maxArgs: 1,
    values: ['otp', 'decode', 'nonce'],
    booleans: ['init', 'cancel', 'status', 'generate-otp'],
  },
  async (context) => {
    const has = (name: string): boolean => context.flags.booleans.has(name);
    if (has('generate-otp')) return printGeneratedOtp(context);
    if (context.flags.values.has('decode')) return decode(context);
    if (has('cancel')) return cancel(context);
    if (has('init')) return init(context);
    if (has('status')) return status(context);
    return provide(context);
  },
);

async function printGeneratedOtp(context: ClientContext): Promise<number> {
  let otp: string;
  try {
    otp = generateOtp(numberOf((await context.client.read(ATTEMPT))['otp_length']));
  } catch (error) {
    return context.fail('Error getting root generation status', error);
  }
  if (context.format === 'json') context.out(jsonOutput({ otp, otp_length: otp.length }));
  else printRaw(context, otp);
  return 0;
}

async function decode(context: ClientContext): Promise<number> {
  let encoded = context.flags.values.get('decode') ?? '';
  const otp = context.flags.values.get('otp') ?? '';
  if (encoded === '') {
    context.err('Missing encoded value: use -decode=<string> to supply it');
    return 1;
  }
  if (otp === '') {
    context.err('Missing otp: use -otp to supply it');
    return 1;
  }
  if (encoded === '-') {
    encoded = await readStandardInput(context.io);
    if (encoded === '') {
      context.err('Missing encoded value. When using -decode="-" value must be passed via stdin.');
      return 1;
    }
  }
  let otpLength: number;
  try {
    otpLength = numberOf((await context.client.read(ATTEMPT))['otp_length']);
  } catch (error) {
    return context.fail('Error getting root generation status', error);
  }
  let token: string;
  try {
    token = decodeRootToken(encoded, otp, otpLength);
  } catch (error) {
    context.err(`Error decoding root token: ${messageOf(error)}`);
    return 1;
  }
  if (context.format === 'json') context.out(jsonOutput({ token }));
  else printRaw(context, token);
  return 0;
}

async function init(context: ClientContext): Promise<number> {
  const otp = context.flags.values.get('otp');
  let started: Record<string, unknown>;
  try {
    started = await context.client.write(ATTEMPT, otp === undefined || otp === '' ? {} : { otp });
  } catch (error) {
    return context.fail('Error initializing root generation', error);
  }
  return printStatus(context, started);
}

async function cancel(context: ClientContext): Promise<number> {
  try {
    await context.client.request('DELETE', ATTEMPT);
  } catch (error) {
    return context.fail('Error canceling root token generation', error);
  }
  context.out('Success! Root token generation canceled (if it was started)');
  return 0;
}

async function status(context: ClientContext): Promise<number> {
  try {
    return printStatus(context, await context.client.read(ATTEMPT));
  } catch (error) {
    return context.fail('Error getting root generation status', error);
  }
}

async function provide(context: ClientContext): Promise<number> {
  let current: Record<string, unknown>;
  try {
    current = await context.client.read(ATTEMPT);
  } catch (error) {
    return context.fail('Error getting root generation status', error);
  }
  if (current['started'] !== true) {
    context.err(wrapAtLength('No root generation is in progress. Start a root generation by running "sealbox operator generate-root -init".'));
    context.err(
      wrapAtLength(
        'If starting root generation using the OTP method and generating your own OTP, the length of ' +
          `the OTP string needs to be ${numberOf(current['otp_length'])} characters in length.`,
      ),
    );
    return 1;
  }
  const share = await provideShare(context, {
    currentNonce: stringOf(current['nonce']),
    noncePrompt: 'Operation nonce',
    keyPrompt: 'Unseal Key (will be hidden):',
  });
  if (share === undefined) return 1;
  let updated: Record<string, unknown>;
  try {
    updated = await context.client.write('sys/generate-root/update', share);
  } catch (error) {
    return context.fail('Error posting unseal key', error);
  }
  return printStatus(context, updated);
}

/** The vault CLI's generate-root status: rows without a header. */
function printStatus(context: ClientContext, status: Record<string, unknown>): number {
  if (context.format === 'json') {
    context.out(jsonOutput(status));
    return 0;
  }
  const rows = [
    `Nonce | ${stringOf(status['nonce'])}`,
    `Started | ${status['started'] === true}`,
    `Progress | ${numberOf(status['progress'])}/${numberOf(status['required'])}`,
    `Complete | ${status['complete'] === true}`,
  ];
  const fingerprint = stringOf(status['pgp_fingerprint']);
  if (fingerprint !== '') rows.push(`PGP Fingerprint | ${fingerprint}`);
  const encodedToken = stringOf(status['encoded_token']);
  const encodedRootToken = stringOf(status['encoded_root_token']);
  if (encodedToken !== '') rows.push(`Encoded Token | ${encodedToken}`);
  else if (encodedRootToken !== '') rows.push(`Encoded Root Token | ${encodedRootToken}`);
  const otp = stringOf(status['otp']);
  if (otp !== '') {
    context.err(
      wrapAtLength(
        'A One-Time-Password has been generated for you and is shown in the OTP field. You will need ' +
          'this value to decode the resulting root token, so keep it safe.',
      ),
    );
    rows.push(`OTP | ${otp}`);
  }
  const otpLength = numberOf(status['otp_length']);
  if (otpLength !== 0) rows.push(`OTP Length | ${otpLength}`);
  context.out(columnOutput(rows));
  return 0;
}

/** As the vault CLI: a bare value, with a newline only for a terminal, so that it pipes cleanly. */
function printRaw(context: ClientContext, value: string): void {
  context.io.stdout.write(context.io.stdout.isTTY === true ? `${value}\n` : value);
}
