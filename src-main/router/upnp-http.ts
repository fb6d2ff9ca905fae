import http from 'node:http';

// The IGD's HTTP: tiny requests on the LAN, from the mapping's LAN address (a router in "secure mode"
// maps only to the address that asked), with a deadline and a cap on what it may send back.

export interface HttpOptions {
  url: URL;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpRequest(opts: HttpOptions): Promise<HttpAnswer> {
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const body = opts.body !== undefined ? Buffer.from(opts.body, 'utf8') : undefined;
    const req = http.request(
      opts.url,
      {
        method: opts.method ?? 'GET',
        headers: { Connection: 'close', ...(body ? { 'Content-Length': String(body.length) } : {}), ...opts.headers },
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`${opts.url.href} sent more than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`${opts.url.host} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
