// What the log-search worker runs: a user's regular expression over a chunk of log lines. V8's regex
// engine backtracks, so a pattern like `(a+)+$` can take longer than the universe on one line; this code
// therefore never runs on the page's thread (log-search.ts gives it a time budget and kills the worker).
// Plain, DOM-free functions so that tests can run them directly.

export interface SearchRequest {
  source: string;
  flags: string;
  /** The lines' messages, in id order. */
  texts: readonly string[];
  /** Their error codes ('' for none), searched too. */
  codes: readonly string[];
}

export type SearchResponse =
  /** Posted once when the worker has loaded: the budget of the first chunk starts only then. */
  | { kind: 'ready' }
  /** `matched`: indexes into the chunk; `hits[i]`: [start, end, start, end, …] in texts[matched[i]]. */
  | { kind: 'result'; matched: number[]; hits: number[][] }
  | { kind: 'error'; message: string };

/** Highlighted hits per line at most (a line of 1,000 `a`s searched for `a` needs no 1,000 marks). */
export const MAX_HITS = 100;

let cached: { key: string; test: RegExp; all: RegExp } | undefined;

function compile(source: string, flags: string): { test: RegExp; all: RegExp } {
  const key = `${flags}/${source}`;
  if (cached?.key !== key) cached = { key, test: new RegExp(source, flags), all: new RegExp(source, `${flags}g`) };
  return cached;
}

/** [start, end, …] of the non-empty matches of `re` (a global RegExp) in `text`, at most `max` of them. */
export function hitRanges(text: string, re: RegExp, max = MAX_HITS): number[] {
  const out: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m && out.length < max * 2; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    out.push(m.index, m.index + m[0].length);
  }
  return out;
}

export function searchChunk(req: SearchRequest): SearchResponse {
  let re: { test: RegExp; all: RegExp };
  try {
    re = compile(req.source, req.flags);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const matched: number[] = [];
  const hits: number[][] = [];
  req.texts.forEach((text, i) => {
    const code = req.codes[i] ?? '';
    if (re.test.test(text) || (code !== '' && re.test.test(code))) {
      matched.push(i);
      hits.push(hitRanges(text, re.all));
    }
  });
  return { kind: 'result', matched, hits };
}
