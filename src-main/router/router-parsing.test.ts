import { describe, expect, it } from 'vitest';
import { isPrivateIPv4 } from '../../src-shared/model/router';
import { UsageError } from '../headless/args';
import { normaliseUpnpArgv, parseUpnpOption } from '../headless/forward-upnp';
import { parseIgdDescription } from './igd-client';
import { parseProcNetRoute } from './net-info';
import { mappedV4, unmapV4 } from './pcp-client';
import { parseSsdpAnswer } from './ssdp';
import { decodeXmlText, xmlText } from './xml-lite';

// What the router and the OS hand us, parsed: device descriptions, SSDP answers, the routing table.
// (The protocols themselves are tested against a real router in router-lab-cli.test.ts.)

const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>Box &amp; Co</friendlyName>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceList><device><serviceList>
<service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>/ctl/PPP</controlURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>ctl/IPConn</controlURL></service>
</serviceList></device></deviceList></device></deviceList></device></root>`;

describe('router protocol parsing', () => {
  it('finds the WAN IP connection service (preferred over PPP) and resolves its control URL', () => {
    const s = parseIgdDescription(DESCRIPTION, new URL('http://192.168.1.1:5000/desc/root.xml'));
    expect(s).toMatchObject({ serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1', friendlyName: 'Box & Co' });
    expect(s?.controlUrl.href).toBe('http://192.168.1.1:5000/desc/ctl/IPConn');
    expect(parseIgdDescription(DESCRIPTION.replace(/WANIPConnection|WANPPPConnection/g, 'Other'), new URL('http://h/'))).toBeUndefined();
    // A control URL that is not http (file:, https: elsewhere) is not followed.
    expect(parseIgdDescription(DESCRIPTION.replace('ctl/IPConn', 'file:///etc/passwd').replace('/ctl/PPP', 'file:///x'), new URL('http://h/'))).toBeUndefined();
  });

  it('decodes entities without expanding anything else', () => {
    expect(decodeXmlText('a &lt;b&gt; &#65;&#x42; &unknown; <![CDATA[<c>]]>')).toBe('a <b> AB &unknown; <c>');
    expect(xmlText('<s:Body><u:R><NewExternalIPAddress/></u:R></s:Body>', 'NewExternalIPAddress')).toBe('');
    expect(xmlText('<errorCode> 718 </errorCode>', 'errorCode')).toBe('718');
  });

  it('takes an SSDP answer only when it is a 200 with an http LOCATION', () => {
    const ok = 'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLocation: http://10.0.0.1:5000/rootDesc.xml\r\n\r\n';
    expect(parseSsdpAnswer(ok, '10.0.0.1')).toMatchObject({ from: '10.0.0.1', st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1' });
    expect(parseSsdpAnswer(ok.replace('200 OK', '404 Not Found'), 'x')).toBeUndefined();
    expect(parseSsdpAnswer(ok.replace('http://', 'ftp://'), 'x')).toBeUndefined();
    expect(parseSsdpAnswer('NOTIFY * HTTP/1.1\r\nLOCATION: http://a/\r\n', 'x')).toBeUndefined();
  });

  it('reads default gateways from /proc/net/route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
      'wlan0\t00000000\t01010A0A\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    ].join('\n');
    expect(parseProcNetRoute(table)).toEqual([
      { iface: 'eth0', gateway: '192.168.1.1' },
      { iface: 'wlan0', gateway: '10.10.1.1' },
    ]);
  });

  it('calls private, shared (CGNAT) and reserved addresses private, public ones not', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '100.127.1.1', '169.254.1.1', '198.18.0.1']) expect(isPrivateIPv4(ip)).toBe(true);
    for (const ip of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '100.128.0.1', '11.77.2.1']) expect(isPrivateIPv4(ip)).toBe(false);
  });

  it('carries IPv4 in PCP address fields as IPv4-mapped IPv6, and reads only that form back', () => {
    expect(mappedV4('10.77.1.10').toString('hex')).toBe('00000000000000000000ffff0a4d010a');
    expect(unmapV4(mappedV4('203.0.113.7'))).toBe('203.0.113.7');
    // An IPv6 external address (or all zeros: none given) is not an IPv4 one.
    expect(unmapV4(Buffer.from('20010db8000000000000000000000001', 'hex'))).toBe('');
    expect(unmapV4(Buffer.alloc(16))).toBe('');
  });

  it('parses --upnp[=EXTERNAL_PORT] and its companions strictly', () => {
    expect(normaliseUpnpArgv(['--upnp', '8080', 'h:1'])).toEqual(['--upnp=same', '8080', 'h:1']);
    expect(parseUpnpOption({})).toBeUndefined();
    expect(parseUpnpOption({ upnp: 'same' })).toEqual({ enabled: true, protocol: 'auto', leaseSeconds: 3600 });
    expect(parseUpnpOption({ upnp: '25565', 'upnp-protocol': 'natpmp', 'upnp-lease': '60' })).toEqual({ enabled: true, externalPort: 25565, protocol: 'natpmp', leaseSeconds: 60 });
    expect(() => parseUpnpOption({ upnp: '70000' })).toThrow(/--upnp: "70000" is not a port/);
    expect(parseUpnpOption({ upnp: 'same', 'upnp-protocol': 'pcp' })).toMatchObject({ protocol: 'pcp' });
    expect(() => parseUpnpOption({ upnp: 'same', 'upnp-protocol': 'igd' })).toThrow(UsageError);
    expect(() => parseUpnpOption({ upnp: 'same', 'upnp-lease': '1' })).toThrow(/--upnp-lease/);
    expect(() => parseUpnpOption({ 'upnp-lease': '60' })).toThrow(/go with --upnp/);
  });
});
