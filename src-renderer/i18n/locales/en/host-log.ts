import { LOG_TEXT } from '../../../../src-shared/model/log-text';

// The host's log lines by their code (src-shared/model/log-text.ts): in English exactly the text the
// host writes, so English lines read the same whether shown from the code or the message.
export const hostLog = { hostLog: LOG_TEXT } as const;
