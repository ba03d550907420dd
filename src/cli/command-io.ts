/** What a command touches of its process, passed in so that commands can run inside tests. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Where prompts read from (unseal keys, rekey shares); commands that prompt need it. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signals: Pick<NodeJS.Process, 'on' | 'off'>;
}
