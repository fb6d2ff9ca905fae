import { type SearchRequest, type SearchResponse, searchChunk } from './log-search-scan';

// The log search's worker: a dedicated thread the page can terminate when a pattern runs too long.
// Loaded as a file of its own (Vite emits it next to the app's scripts): the CSP allows workers from
// 'self' only, not blob: or data: URLs.

interface WorkerScope {
  onmessage: ((event: MessageEvent<SearchRequest>) => void) | null;
  postMessage(message: SearchResponse): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => scope.postMessage(searchChunk(event.data));
scope.postMessage({ kind: 'ready' });
