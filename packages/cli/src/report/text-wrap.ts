/** An ANSI colour code: ESC, `[`, parameters, `m`. */
const ansiCode = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The visible length of terminal text: ANSI colour codes take no columns. */
export function visibleLength(text: string): number {
  return text.replace(ansiCode, '').length;
}

/**
 * Breaks `text` at spaces into lines no wider than `width`; a word longer than the width is
 * split, so nothing is ever cut off.
 */
export function wrapText(text: string, width: number): string[] {
  const size = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  const push = (word: string): void => {
    let rest = word;
    while (rest.length > size) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, size));
      rest = rest.slice(size);
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= size) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  };
  for (const word of text.split(' ')) push(word);
  lines.push(line);
  return lines;
}

/** `text` wrapped to `width` with every line indented by `indent` (the first by `first`, if given). */
export function indentWrap(text: string, width: number, indent: string, first: string = indent): string[] {
  return wrapText(text, width - indent.length).map((line, index) => `${index === 0 ? first : indent}${line}`);
}
