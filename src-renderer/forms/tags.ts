// Tags as the rule dialog edits them: one comma-separated text field, shown back as chips.

/** Schema limits (src-shared/model/rule.ts): at most 20 tags of 1–30 characters. */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 30;

/** Splits on commas, trims, drops blanks and case-insensitive repeats; keeps the order typed. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim();
    const key = tag.toLowerCase();
    if (tag === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}

export function formatTags(tags: readonly string[]): string {
  return tags.join(', ');
}

/** The field's text without one tag (the chip's remove button). */
export function withoutTag(text: string, tag: string): string {
  return formatTags(parseTags(text).filter((t) => t.toLowerCase() !== tag.toLowerCase()));
}
