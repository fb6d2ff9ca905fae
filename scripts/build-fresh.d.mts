// Types for build-fresh.mjs (imported by e2e/first-run.spec.ts).
export declare const BUILD_INPUTS: readonly string[];
export declare const BUILD_OUTPUTS: readonly string[];
export declare function buildIsFresh(root: string): boolean;
