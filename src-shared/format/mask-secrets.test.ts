import { describe, expect, it } from 'vitest';
import { maskSecrets } from './mask-secrets';

describe('maskSecrets', () => {
  it.each([
    ['password=hunter2 user=bob', 'password=**** user=bob'],
    ['login with passwd: s3cret! failed', 'login with passwd: **** failed'],
    ['--password=hunter2 --verbose', '--password=**** --verbose'],
    ['ran: porthole agent --token abc123 --name x', 'ran: porthole agent --token **** --name x'],
    ['{"user":"bob","password":"hunter 2","port":22}', '{"user":"bob","password":"****","port":22}'],
    ["passphrase: 'correct horse battery'", "passphrase: '****'"],
    ['GET /cb?code=1&access_token=eyJhbGci.x&state=2 → 200 (3 ms)', 'GET /cb?code=1&access_token=****&state=2 → 200 (3 ms)'],
    ['client_secret=abc; x-api-key: k-123', 'client_secret=****; x-api-key: ****'],
    ['RELAY_TOKEN=9f8e7d6c5b4a', 'RELAY_TOKEN=****'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc', 'Authorization: Bearer ****'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic ****'],
    ['proxy-authorization=Negotiate YIIFyQYGKwYBBQUCoIIF', 'proxy-authorization=Negotiate ****'],
    ['sent header bearer abcdefgh12345678', 'sent header bearer ****'],
    ['fetch https://alice:p%40ss@example.com/profile.yaml failed', 'fetch https://alice:****@example.com/profile.yaml failed'],
    ['clone https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/x/y', 'clone https://****@github.com/x/y'],
    ['relay token 8Zq4vN2mKp7Rt1Wx9Ys3Lb6Hc0Jd5Fg', 'relay token ****'],
    ['api key AKIAIOSFODNN7EXAMPLE in env', 'api key **** in env'],
    ['found eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N in a cookie', 'found **** in a cookie'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', '-----BEGIN OPENSSH PRIVATE KEY-----****-----END OPENSSH PRIVATE KEY-----'],
  ])('masks %j', (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  it.each([
    'Listening on 127.0.0.1:8080',
    'Created mapping "Web (token-protected)"',
    'Now reachable at ssh://bob@bastion.example.com:22',
    'Authentication failed for bob@db.internal:22 (tried: publickey, password) — check the key or password',
    "the relay could not prove it knows this agent's token — it is not the relay you configured, or its token differs",
    'No OS keyring: passwords and tokens are kept in a plain file',
    'Host key for db.internal is SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
    'Relay listening on 0.0.0.0:7000 (TLS, certificate AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89)',
    'relay web 0.0.0.0:8080 10.0.0.5:51234 GET /index.html?page=2&sort=name → 200 (1.2 ms)',
    'Refused 192.168.1.20:50123: not in the allow-list 10.0.0.0/8',
    'Connecting to http://[::1]:8080/path@v2 failed: ECONNREFUSED',
    'SOCKS5 client asked for username/password authentication; none configured',
    'Set a username before a password',
    'passwordless: true, tokens: 3, non-pass through',
    'retrying in 1.5 s',
  ])('leaves %j as it is', (line) => {
    expect(maskSecrets(line)).toBe(line);
  });

  it('is idempotent', () => {
    const once = maskSecrets('url=https://u:p@h/ token=abc Authorization: Bearer abcdefgh12345678 --pass x');
    expect(maskSecrets(once)).toBe(once);
    expect(once).not.toMatch(/\bp@|abc\b|abcdefgh|--pass x/);
  });
});

describe('maskSecrets in linear time', () => {
  const KiB = 1024;
  const line = (prefix: string, unit: string, size: number, suffix = '') => prefix + unit.repeat(Math.ceil(size / unit.length)).slice(0, size) + suffix;
  // Lines an attacker can get logged (a request path, a header, a URL), shaped to make a backtracking
  // pattern restart at every position and rescan the rest of the line.
  const SHAPES: readonly [string, string, string?][] = [
    ['token ', 'a.'],
    ['token ', 'a-'],
    ['', 'pass.'],
    ['', 'secret.'],
    ['', 'token='],
    ['', 'x-api-key: '],
    ['token ', 'Ab0+', '==='],
    ['', 'token Ab0+/'],
    ['', 'eyJ-'],
    ['', 'eyJaaaaaaaaa.'],
    ['', 'sk-'],
    ['', 'xoxb-', '_'],
    ['', 'ghp_a', '_'],
    ['', 'a://'],
    ['a://', 'b:'],
    ['://', 'a+b.c-d'],
    ['', 'http://aaaa'],
    ['', 'authorization: '],
    ['', 'bearer '],
    ['-----BEGIN RSA PRIVATE KEY-----', '-----END A'],
    ['', '-----BEGIN A'],
    ['', '"password":"\\'],
    ['token', ' '],
    ['password', '='],
  ];

  /** Best of two, in ms: the less disturbed by other work on the machine. */
  function time(text: string): number {
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      maskSecrets(text);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  it('masks 1 MiB adversarial lines in time proportional to their length (64 KiB vs 1 MiB)', () => {
    let small = 0;
    let big = 0;
    let slowest = 0;
    for (const [prefix, unit, suffix] of SHAPES) {
      small += time(line(prefix, unit, 64 * KiB, suffix));
      const t = time(line(prefix, unit, 1024 * KiB, suffix));
      big += t;
      slowest = Math.max(slowest, t);
    }
    // 16× the input: linear is ~16× the time, quadratic 256×. (The quadratic masker took 1.2 s for a
    // single 32 KB line.) The ceiling is generous for a loaded machine; typical is well under 100 ms.
    expect(big / small).toBeLessThan(48);
    expect(slowest).toBeLessThan(1500);
  });

  it('still finds a secret at the end of a long adversarial line', () => {
    expect(maskSecrets(line('', 'pass.', 1024 * KiB, ' password=hunter2')).endsWith(' password=****')).toBe(true);
    expect(maskSecrets(line('', 'a://', 256 * KiB, ' https://alice:p4ss@example.com/')).endsWith(' https://alice:****@example.com/')).toBe(true);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N';
    expect(maskSecrets(line('', 'eyJ-', 256 * KiB, ` ${jwt} x`)).endsWith(' **** x')).toBe(true);
  });

  it('keeps masking JWTs whose segments look like other tokens, and tokens after a name in a word', () => {
    expect(maskSecrets(';eyJhbGciOiJkeyx.AKIAIOSFODNN7EXAMPLE.abcdefgh1234:')).toBe(';****:');
    expect(maskSecrets('session.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N')).toBe('session.****');
    expect(maskSecrets('x-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N')).toBe('x-****');
    expect(maskSecrets('see 1.http://bob:hunter2@h/')).toBe('see 1.http://bob:****@h/');
  });
});
