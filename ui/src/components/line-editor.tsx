import { useEffect, useRef } from 'preact/hooks';
import { lineRange } from '../lib/error-position.ts';

interface LineEditorProps {
  readonly id: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  /** A 1-based line to mark as wrong, with the message to read there. */
  readonly errorLine?: number | undefined;
  readonly errorMessage?: string | undefined;
  readonly rows?: number;
  /** Select the error line when the error appears: after a submit, not while the user types. */
  readonly selectErrorLine?: boolean;
}

/**
 * A code textarea with line numbers. The line of a parse error is marked in the gutter and
 * selected in the text, and the message is tied to the field for assistive technology.
 */
export function LineEditor({ id, value, onInput, errorLine, errorMessage, rows = 16, selectErrorLine = false }: LineEditorProps) {
  const text = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = Math.max(value.split('\n').length, rows);
  useEffect(() => {
    const area = text.current;
    if (area === null || errorLine === undefined || !selectErrorLine) return;
    const { start, end } = lineRange(area.value, errorLine);
    area.setSelectionRange(start, end);
    // Bring the line into view: line height is fixed, so its offset is a multiple of it.
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
    area.scrollTop = Math.max(0, (errorLine - 3) * lineHeight);
  }, [errorLine, errorMessage]);
  const syncScroll = () => {
    if (gutter.current !== null && text.current !== null) gutter.current.scrollTop = text.current.scrollTop;
  };
  const messageId = `${id}-error`;
  return (
    <div class={errorLine === undefined ? 'line-editor' : 'line-editor has-error'}>
      <div class="gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lineCount }, (_, index) => (
          <span key={index} class={index + 1 === errorLine ? 'error-line' : undefined} data-line={index + 1}>
            {index + 1}
          </span>
        ))}
      </div>
      <textarea
        id={id}
        ref={text}
        rows={rows}
        value={value}
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        wrap="off"
        aria-invalid={errorMessage === undefined ? undefined : 'true'}
        aria-describedby={errorMessage === undefined ? undefined : messageId}
        onInput={(event) => onInput(event.currentTarget.value)}
        onScroll={syncScroll}
      />
      {errorMessage === undefined ? null : (
        <p class="field-error" id={messageId}>
          {errorLine === undefined ? errorMessage : `Line ${errorLine}: ${errorMessage}`}
        </p>
      )}
    </div>
  );
}
