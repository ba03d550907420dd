/** The vault CLI wraps its prose at 78 columns. */
const MAX_LINE_LENGTH = 78;

/** Greedy word wrap, keeping the text's own line breaks. */
export function wrapAtLength(text: string, width = MAX_LINE_LENGTH): string {
  return text
    .split('\n')
    .map((paragraph) => wrapParagraph(paragraph, width))
    .join('\n');
}

function wrapParagraph(paragraph: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}
