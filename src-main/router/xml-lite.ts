// Just enough XML for UPnP device descriptions and SOAP answers: elements found by local name
// (namespace prefixes ignored), text with the five predefined entities and numeric references decoded.
// No DTDs, no external entities: nothing the router sends can make this fetch or expand anything.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
      if (e[0] === '#') {
        const n = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
      }
      return ENTITIES[e] ?? whole;
    });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The inner XML of every `<name>` element (any prefix), outermost first, in document order. */
export function xmlElements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${escapeRe(name)}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${escapeRe(name)}\\s*>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** The decoded, trimmed text of the first `<name>` element, or undefined. */
export function xmlText(xml: string, name: string): string | undefined {
  const inner = xmlElements(xml, name)[0];
  if (inner !== undefined) return decodeXmlText(inner).trim();
  // An empty element may be written <name/>.
  return new RegExp(`<(?:[\\w.-]+:)?${escapeRe(name)}\\s*/>`).test(xml) ? '' : undefined;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
