import { WebSocket } from 'ws';
import type { Envelope } from '../../src-shared/api/contract';
import type { Host } from './host';

/** A plain API client for tests: the same WebSocket protocol the UI uses, from the test process. */
export class TestApi {
  private nextId = 0;
  private constructor(private readonly ws: WebSocket) {}

  /** Opens the API socket and signs in with the host's token (sent as the first message, never in the URL). */
  static async connect(host: Host): Promise<TestApi> {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api`, { headers: { Origin: host.origin }, ...(host.ca ? { ca: host.ca, checkServerIdentity: () => undefined } : {}) });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (d: Buffer) => {
        if ((JSON.parse(d.toString()) as { t: string }).t !== 'ready') return;
        ws.off('message', onMessage);
        ws.off('close', onClose);
        resolve();
      };
      const onClose = (code: number, reason: Buffer) => reject(new Error(`the host refused the API socket: ${code} ${reason.toString()}`));
      ws.on('message', onMessage);
      ws.once('close', onClose);
      ws.send(JSON.stringify({ t: 'auth', token: host.token }));
    });
    return new TestApi(ws);
  }

  call<T>(method: string, a?: unknown): Promise<T> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const on = (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as { t: string; id?: number; r?: Envelope<T> };
        if (msg.t !== 'result' || msg.id !== id) return;
        this.ws.off('message', on);
        if (msg.r?.ok) resolve(msg.r.value);
        else reject(new Error(msg.r ? msg.r.error.message : 'no result'));
      };
      this.ws.on('message', on);
      this.ws.send(JSON.stringify({ t: 'call', id, m: method, a }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
