import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SealboxError } from '../../../lib/errors.ts';
import { assertValidKey } from '../storage-key.ts';
import { removeFileDurably, renameDurably, writeTempFile } from './durable-fs.ts';
import { errnoCode } from './io-error.ts';
import { isTempName, JOURNAL_NAME } from './file-layout.ts';

/*
 * The intent log of a multi-key transaction. Every new value is first written to a synced temp file
 * next to its entry (staging: the only step needing disk space, and undone by deleting the temps);
 * then the journal records the renames and deletes left to do; then they are done; then the journal
 * is removed. After a crash, a journal means "finish these steps" and no journal means "the temps
 * are garbage". The journal itself is written by atomic rename, so it is whole or missing.
 */

/** One step of a staged transaction: rename a staged temp file into place, or delete an entry. */
export type JournalStep =
  | {
      readonly type: 'put';
      readonly key: string;
      /** The staged temp file's name, in the entry's directory. */
      readonly temp: string;
    }
  | { readonly type: 'delete'; readonly key: string };

interface JournalFile {
  readonly version: 1;
  readonly steps: readonly JournalStep[];
}

export async function writeJournal(root: string, steps: readonly JournalStep[]): Promise<void> {
  const journal: JournalFile = { version: 1, steps };
  const temp = await writeTempFile(root, Buffer.from(JSON.stringify(journal), 'utf8'));
  await renameDurably(join(root, temp), journalPath(root));
}

/** The steps of an unfinished transaction, if a journal is present. */
export async function readJournal(root: string): Promise<JournalStep[] | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(root), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return parseJournal(text);
}

export async function removeJournal(root: string): Promise<void> {
  await removeFileDurably(journalPath(root));
}

function journalPath(root: string): string {
  return join(root, JOURNAL_NAME);
}

// A journal that does not parse was not written by this code: refuse to guess which half applies.
function parseJournal(text: string): JournalStep[] {
  try {
    const journal = JSON.parse(text) as JournalFile;
    if (journal.version !== 1 || !Array.isArray(journal.steps)) throw new Error('unknown journal format');
    return journal.steps.map(checkedStep);
  } catch (error) {
    throw new SealboxError('storage_unavailable', 'storage unavailable: the transaction journal is unreadable', {
      cause: error,
    });
  }
}

function checkedStep(step: JournalStep): JournalStep {
  assertValidKey(step.key);
  if (step.type === 'delete') return { type: 'delete', key: step.key };
  if (step.type !== 'put' || typeof step.temp !== 'string' || !isTempName(step.temp) || step.temp.includes('/')) {
    throw new Error('malformed journal step');
  }
  return { type: 'put', key: step.key, temp: step.temp };
}
