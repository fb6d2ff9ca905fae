import type { Catalog } from '../../catalog';
import type { router as en } from '../en/router';

export const router: Catalog<typeof en> = {
  router: {
    field: {
      legend: '在路由器上开放',
      switch: '在家用路由器上开放此端口',
      lead: '请路由器（UPnP、NAT-PMP 或 PCP）把其公网地址上的一个端口转发到此映射；映射运行时自动续期，停止时关闭。',
      externalPort: '路由器上的端口',
      externalPortHint: '留空：与监听端口相同。',
      protocol: '请求方式',
      auto: '自动',
      upnp: 'UPnP',
      natpmp: 'NAT-PMP',
      pcp: 'PCP',
      loopback: '此映射监听 {{host}}，只有本机能访问——路由器无法转发到这里。请改为监听本机的局域网地址：',
      useAddress: '使用 {{address}}',
      useAll: '所有网卡（0.0.0.0）',
      noLan: '本机没有路由器可以转发到的局域网地址。',
    },
    detail: {
      heading: '路由器',
      reachable: '可从互联网通过 {{address}} 访问（{{method}}），{{duration}}后续期',
      reachablePermanent: '可从互联网通过 {{address}} 访问（{{method}}），停止前一直有效',
      minutes: '{{count}} 分钟',
      copyAria: '复制互联网地址 {{address}}',
      mapping: '正在向路由器申请端口…',
      waiting: '映射运行时会在路由器上开放端口。',
      forwardsTo: '路由器 {{gateway}} 将 {{protocol}} 转发到 {{address}}',
      retryIn: '{{duration}}后重试',
      routerCode: '路由器代码 {{code}}',
      doubleNat: '路由器自己的公网地址（{{address}}）是私有地址：它位于另一台路由器或运营商级 NAT 之后，因此此端口只能从那个外层网络访问。要从互联网访问，请通过中继公开此服务。',
      openRelay: '打开中继视图',
    },
    method: { upnp: 'UPnP', natpmp: 'NAT-PMP', pcp: 'PCP' },
    error: {
      GATEWAY_NOT_FOUND: '没有路由器应答（UPnP、NAT-PMP 或 PCP）',
      ROUTER_REFUSED: '路由器拒绝了映射',
      EXTERNAL_PORT_TAKEN: '路由器上的端口已被占用',
      LISTEN_ON_LOOPBACK: '监听的是回环地址：路由器无法访问',
      ROUTER_ERROR: '无法使用路由器',
    },
  },
};
