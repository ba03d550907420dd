export interface Pair {
  readonly key: string;
  readonly value: string;
}

interface KeyValueEditorProps {
  readonly pairs: readonly Pair[];
  readonly onChange: (pairs: Pair[]) => void;
  /** Names the inputs: "Key 1", "Value 1", ... within this legend. */
  readonly legend: string;
}

/** Rows of key and value inputs; every input has its own label, and rows are added and removed with buttons. */
export function KeyValueEditor({ pairs, onChange, legend }: KeyValueEditorProps) {
  const update = (index: number, change: Partial<Pair>) => onChange(pairs.map((pair, at) => (at === index ? { ...pair, ...change } : pair)));
  const remove = (index: number) => onChange(pairs.filter((_, at) => at !== index));
  return (
    <fieldset class="kv-editor">
      <legend>{legend}</legend>
      {pairs.map((pair, index) => (
        <div class="kv-row" key={index}>
          <label>
            <span class="visually-hidden">Key {index + 1}</span>
            <input type="text" value={pair.key} placeholder="key" autocomplete="off" spellcheck={false} onInput={(event) => update(index, { key: event.currentTarget.value })} />
          </label>
          <label>
            <span class="visually-hidden">Value {index + 1}</span>
            <input type="text" value={pair.value} placeholder="value" autocomplete="off" spellcheck={false} onInput={(event) => update(index, { value: event.currentTarget.value })} />
          </label>
          <button type="button" class="secondary small" onClick={() => remove(index)} aria-label={`Remove row ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="secondary small" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
        Add row
      </button>
    </fieldset>
  );
}

/** The pairs as an object, or the problems that keep them from being one. */
export function pairsToObject(pairs: readonly Pair[]): { value: Record<string, string> } | { errors: string[] } {
  const value: Record<string, string> = {};
  const errors: string[] = [];
  pairs.forEach((pair, index) => {
    if (pair.key === '' && pair.value === '') return;
    if (pair.key === '') errors.push(`row ${index + 1}: the key is empty`);
    else if (Object.hasOwn(value, pair.key)) errors.push(`row ${index + 1}: the key "${pair.key}" is there twice`);
    else value[pair.key] = pair.value;
  });
  return errors.length > 0 ? { errors } : { value };
}

/** Pairs for an object whose values are all strings; undefined when some are not (edit those as JSON). */
export function objectToPairs(data: Record<string, unknown>): Pair[] | undefined {
  const pairs: Pair[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') return undefined;
    pairs.push({ key, value });
  }
  return pairs;
}
