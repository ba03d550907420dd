import { useState } from 'preact/hooks';
import { errorPosition } from '../lib/error-position.ts';
import type { Pair } from './key-value-editor.tsx';
import { KeyValueEditor, objectToPairs, pairsToObject } from './key-value-editor.tsx';
import { LineEditor } from './line-editor.tsx';

export type EditorMode = 'pairs' | 'json';

export interface SecretDraft {
  readonly mode: EditorMode;
  readonly pairs: readonly Pair[];
  readonly json: string;
}

export function draftOf(data: Record<string, unknown>): SecretDraft {
  const pairs = objectToPairs(data);
  const json = JSON.stringify(data, null, 2);
  if (pairs === undefined) return { mode: 'json', pairs: [], json };
  return { mode: 'pairs', pairs: pairs.length > 0 ? pairs : [{ key: '', value: '' }], json };
}

/** The draft as the object to write, or what is wrong with it. */
export function draftToData(draft: SecretDraft): { value: Record<string, unknown> } | { errors: string[] } {
  if (draft.mode === 'pairs') return pairsToObject(draft.pairs);
  const parsed = parseJsonObject(draft.json);
  return 'error' in parsed ? { errors: [parsed.error] } : parsed;
}

function parseJsonObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the JSON must be an object of keys and values' };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { error: error instanceof Error ? error.message : 'invalid JSON' };
  }
}

interface SecretEditorProps {
  readonly draft: SecretDraft;
  readonly onChange: (draft: SecretDraft) => void;
}

/** Key/value rows or JSON text for one secret; switching carries the data over when it can. */
export function SecretEditor({ draft, onChange }: SecretEditorProps) {
  const [switchError, setSwitchError] = useState<string | undefined>(undefined);
  const setMode = (mode: EditorMode) => {
    setSwitchError(undefined);
    if (mode === draft.mode) return;
    if (mode === 'json') {
      const data = pairsToObject(draft.pairs);
      onChange({ ...draft, mode, json: 'value' in data ? JSON.stringify(data.value, null, 2) : draft.json });
      return;
    }
    const parsed = parseJsonObject(draft.json);
    const pairs = 'value' in parsed ? objectToPairs(parsed.value) : undefined;
    if (pairs === undefined) {
      setSwitchError('error' in parsed ? parsed.error : 'some values are not strings: edit them as JSON');
      return;
    }
    onChange({ ...draft, mode, pairs: pairs.length > 0 ? pairs : [{ key: '', value: '' }] });
  };
  const jsonError = draft.mode === 'json' ? jsonProblem(draft.json) : undefined;
  return (
    <div class="secret-editor">
      <fieldset class="segmented">
        <legend>Editor</legend>
        <label>
          <input type="radio" name="editor-mode" checked={draft.mode === 'pairs'} onChange={() => setMode('pairs')} /> Key/value
        </label>
        <label>
          <input type="radio" name="editor-mode" checked={draft.mode === 'json'} onChange={() => setMode('json')} /> JSON
        </label>
      </fieldset>
      {switchError === undefined ? null : (
        <p class="field-error" role="alert">
          {switchError}
        </p>
      )}
      {draft.mode === 'pairs' ? (
        <KeyValueEditor legend="Secret data" pairs={draft.pairs} onChange={(pairs) => onChange({ ...draft, pairs })} />
      ) : (
        <div class="field">
          <label for="secret-json">Secret data (JSON)</label>
          <LineEditor id="secret-json" rows={10} value={draft.json} onInput={(json) => onChange({ ...draft, json })} errorLine={jsonError?.line} errorMessage={jsonError?.message} />
        </div>
      )}
    </div>
  );
}

function jsonProblem(text: string): { line: number | undefined; message: string } | undefined {
  if (text.trim() === '') return undefined;
  const parsed = parseJsonObject(text);
  if (!('error' in parsed)) return undefined;
  return { line: errorPosition(parsed.error)?.line, message: parsed.error };
}
