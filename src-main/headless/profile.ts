import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import { readProfileText } from '../profiles/profile-file';
import { readSshConfigProfile } from '../profiles/ssh-config-profile';
import type { SshServerDraft } from '../../src-shared/model/ssh';
import { UsageError } from './args';

const ProfileSchema = z.object({ rules: z.array(z.unknown()).max(5000) }).passthrough();

/** What a profile file holds: servers (by a local ref) and rules that may name them by that ref. */
export interface Profile {
  servers: Array<SshServerDraft & { ref: string }>;
  rules: RuleDraftParsed[];
  warnings: string[];
}

/** Detects the format by content: a JSON object is a Porthole profile; otherwise an OpenSSH client config. */
export function readAnyProfile(file: string): Profile {
  let head = '';
  try {
    head = readFileSync(file, 'utf8').slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  } catch {
    /* readProfile / the ssh_config reader report unreadable files with the file name */
  }
  if (head.startsWith('{')) return { servers: [], rules: readProfile(file), warnings: [] };
  return readSshConfigProfile(file);
}

/**
 * Reads a Porthole JSON profile (`{ "rules": [ … ] }`, the shape of the data file). Other formats
 * (ssh_config, port-proxy YAML, frpc) come with the importers. Errors name the file and the field.
 */
export function readProfile(file: string): RuleDraftParsed[] {
  const text = readProfileText(file, 'a Porthole profile');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8 names a position for some errors only, and may quote the whole input: keep the first clause.
    const raw = (err as Error).message;
    const m = /position (\d+)/.exec(raw);
    const where = m ? `${file}:${text.slice(0, Number(m[1])).split('\n').length}` : file;
    const reason = raw.split(/, "|\n/)[0];
    throw new UsageError(`${where}: not valid JSON (${reason}) — a Porthole profile looks like {"rules": [ … ]}`);
  }
  const top = ProfileSchema.safeParse(json);
  if (!top.success) throw new UsageError(`${file}: expected an object with a "rules" list`);
  return top.data.rules.map((raw, i) => {
    const r = RuleDraftSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new UsageError(`${file}: rules[${i}].${issue.path.join('.')}: ${issue.message}`);
    }
    return r.data;
  });
}
