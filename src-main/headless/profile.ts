import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import { readSshConfigProfile } from '../profiles/ssh-config-profile';
import type { SshServerDraft } from '../../src-shared/model/ssh';
import { UsageError } from './args';

const MAX_PROFILE_BYTES = 1024 * 1024;

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
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new UsageError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size > MAX_PROFILE_BYTES) throw new UsageError(`${file}: the file is larger than 1 MiB — not a profile`);
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1;
    throw new UsageError(`${file}:${line}: not valid JSON (${(err as Error).message}); only Porthole JSON profiles can be run in this version`);
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
