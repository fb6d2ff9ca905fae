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
