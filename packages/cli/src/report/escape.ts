const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML and SVG, both in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEntities[c] ?? c);
}

/**
 * Escapes text for a Markdown table cell or paragraph: pipes would split the cell, and Markdown
 * renders raw HTML, so angle brackets and ampersands become entities.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*|]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => htmlEntities[c] ?? c)
    .replace(/\r?\n/g, ' ');
}

/** Turns a name into a fragment usable in an id, so several inline SVGs can share one page. */
export function idFragment(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}
