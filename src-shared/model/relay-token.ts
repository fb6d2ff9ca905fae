// The relay token's rules, apart from relay.ts's schemas: the relay's worker thread checks tokens with
// them and must load no zod (src-main/relay/wire-check.ts says why).

/**
 * The shortest token a relay or an agent accepts (issue 14): a short one falls to guessing, even
 * with the relay slowing guessers down. Empty means "no token" (an --insecure-no-auth relay).
 */
export const MIN_TOKEN_LENGTH = 16;
/** How to make a strong token, for messages. */
export const TOKEN_HOW_TO = 'make one with `porthole relay --gen-token` (or `openssl rand -hex 24`), or with Generate in the Relay view';
/** The form and API message for a token under MIN_TOKEN_LENGTH (one fixed text, so it is translated). */
export const TOKEN_TOO_SHORT = 'a token needs at least 16 characters — use Generate in the Relay view, or `porthole relay --gen-token`';

export function tokenTooShort(token: string | undefined): boolean {
  return token !== undefined && token !== '' && token.length < MIN_TOKEN_LENGTH;
}
