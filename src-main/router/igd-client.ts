import { UpnpSoapError } from './router-error';
import { httpRequest } from './upnp-http';
import { escapeXml, xmlElements, xmlText } from './xml-lite';

// A UPnP IGD WANIPConnection (or WANPPPConnection) control point: the five actions Porthole needs.
// Spec: UPnP IGD 1.0/2.0, WANIPConnection service templates (actions and error codes 7xx).

const SERVICE_PREFERENCE = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
];

export interface IgdService {
  serviceType: string;
  controlUrl: URL;
  /** Where the description was read (for messages and `upnp status`). */
  location: URL;
  friendlyName?: string;
}

/** Picks the WAN connection service out of a device description. */
export function parseIgdDescription(xml: string, location: URL): IgdService | undefined {
  const base = xmlText(xml, 'URLBase');
  const services = xmlElements(xml, 'service').map((s) => ({ type: xmlText(s, 'serviceType') ?? '', control: xmlText(s, 'controlURL') ?? '' }));
  for (const want of SERVICE_PREFERENCE) {
    const s = services.find((x) => x.type === want && x.control !== '');
    if (!s) continue;
    let controlUrl: URL;
    try {
      controlUrl = new URL(s.control, base || location);
    } catch {
      continue;
    }
    if (controlUrl.protocol !== 'http:') continue;
    const friendlyName = xmlText(xml, 'friendlyName');
    return { serviceType: want, controlUrl, location, ...(friendlyName ? { friendlyName } : {}) };
  }
  return undefined;
}

export interface PortMappingEntry {
  remoteHost: string;
  externalPort: number;
  protocol: 'TCP' | 'UDP';
  internalPort: number;
  internalClient: string;
  enabled: boolean;
  description: string;
  leaseSeconds: number;
}

export interface AddPortMappingArgs {
  externalPort: number;
  protocol: 'TCP' | 'UDP';
  internalPort: number;
  internalClient: string;
  description: string;
  leaseSeconds: number;
}

export class IgdClient {
  constructor(
    readonly service: IgdService,
    /** Requests leave from here: an IGD in secure mode maps only to the address that asks. */
    private readonly localAddress: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** Reads the description at `location` and returns a client, or undefined when it is no IGD. */
  static async open(location: URL, localAddress: string, timeoutMs = 5000): Promise<IgdClient | undefined> {
    const res = await httpRequest({ url: location, localAddress, timeoutMs });
    if (res.status !== 200) return undefined;
    const service = parseIgdDescription(res.body, location);
    return service ? new IgdClient(service, localAddress, timeoutMs) : undefined;
  }

  async externalAddress(): Promise<string> {
    const r = await this.call('GetExternalIPAddress', {});
    return r.NewExternalIPAddress ?? '';
  }

  async addPortMapping(a: AddPortMappingArgs): Promise<void> {
    await this.call('AddPortMapping', {
      NewRemoteHost: '',
      NewExternalPort: String(a.externalPort),
      NewProtocol: a.protocol,
      NewInternalPort: String(a.internalPort),
      NewInternalClient: a.internalClient,
      NewEnabled: '1',
      NewPortMappingDescription: a.description,
      NewLeaseDuration: String(a.leaseSeconds),
    });
  }

  async deletePortMapping(externalPort: number, protocol: 'TCP' | 'UDP'): Promise<void> {
    await this.call('DeletePortMapping', { NewRemoteHost: '', NewExternalPort: String(externalPort), NewProtocol: protocol });
  }

  /** The mapping on this external port, or undefined (714 NoSuchEntryInArray). */
  async getSpecificPortMappingEntry(externalPort: number, protocol: 'TCP' | 'UDP'): Promise<PortMappingEntry | undefined> {
    try {
      const r = await this.call('GetSpecificPortMappingEntry', { NewRemoteHost: '', NewExternalPort: String(externalPort), NewProtocol: protocol });
      return toEntry({ ...r, NewExternalPort: String(externalPort), NewProtocol: protocol, NewRemoteHost: '' });
    } catch (err) {
      if (err instanceof UpnpSoapError && err.errorCode === 714) return undefined;
      throw err;
    }
  }

  /** Every mapping on the router, read one index at a time until the router says there are no more. */
  async listPortMappings(max = 512): Promise<PortMappingEntry[]> {
    const out: PortMappingEntry[] = [];
    for (let i = 0; i < max; i++) {
      try {
        out.push(toEntry(await this.call('GetGenericPortMappingEntry', { NewPortMappingIndex: String(i) })));
      } catch (err) {
        // 713 SpecifiedArrayIndexInvalid ends the list; some routers say 402 or 501 instead.
        if (err instanceof UpnpSoapError && [713, 714, 402, 501].includes(err.errorCode)) break;
        throw err;
      }
    }
    return out;
  }

  private async call(action: string, args: Record<string, string>): Promise<Record<string, string>> {
    const { serviceType, controlUrl } = this.service;
    const params = Object.entries(args)
      .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
      .join('');
    const body =
      '<?xml version="1.0"?>\r\n' +
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      `<s:Body><u:${action} xmlns:u="${serviceType}">${params}</u:${action}></s:Body></s:Envelope>\r\n`;
    const res = await httpRequest({
      url: controlUrl,
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: `"${serviceType}#${action}"` },
      body,
      localAddress: this.localAddress,
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) {
      const code = Number(xmlText(res.body, 'errorCode'));
      if (Number.isInteger(code) && code > 0) throw new UpnpSoapError(action, code, xmlText(res.body, 'errorDescription') ?? '');
      throw new Error(`${action}: ${controlUrl.host} answered HTTP ${res.status}`);
    }
    const inner = xmlElements(res.body, `${action}Response`)[0] ?? '';
    const out: Record<string, string> = {};
    for (const m of inner.matchAll(/<(?:[\w.-]+:)?(New\w+)\s*(?:\/>|>)/g)) out[m[1]!] = xmlText(inner, m[1]!) ?? '';
    return out;
  }
}

function toEntry(r: Record<string, string>): PortMappingEntry {
  return {
    remoteHost: r.NewRemoteHost ?? '',
    externalPort: Number(r.NewExternalPort),
    protocol: (r.NewProtocol ?? '').toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
    internalPort: Number(r.NewInternalPort),
    internalClient: r.NewInternalClient ?? '',
    enabled: r.NewEnabled === '1' || r.NewEnabled === 'true',
    description: r.NewPortMappingDescription ?? '',
    leaseSeconds: Number(r.NewLeaseDuration ?? 0) || 0,
  };
}
