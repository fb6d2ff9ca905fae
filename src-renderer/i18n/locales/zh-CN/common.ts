import type { Catalog } from '../../catalog';
import type { common as en } from '../en/common';

export const common: Catalog<typeof en> = {
  common: {
    cancel: '取消',
    close: '关闭',
    delete: '删除',
    edit: '编辑',
    copy: '复制',
    copied: '已复制',
    copyFailed: '复制失败',
    dismissError: '关闭错误提示',
    dismissMessage: '关闭消息',
    optional: '可选。',
    forwardsTo: '转发到',
  },
  footer: {
    connecting: '正在连接…',
    desktop: '桌面版',
    browserMode: '浏览器模式',
    dataTitle: '映射、密钥和日志的保存位置',
    data: '数据：',
  },
  banners: {
    reconnecting: '与 Porthole 主机的连接已断开——正在重新连接…',
    unreachable: '无法连接 Porthole 主机——正在重新连接… 如果一直如此，请确认本页面的 #token=… 与 porthole ui 打印的一致。',
    recoveryBefore: '保存的映射文件无法读取，已被移动到',
    recoveryAfter: '（{{reason}}）。Porthole 已以空列表启动。',
  },
  deleteDialog: {
    couldNotDelete: '无法删除“{{name}}”：{{error}}',
    mappingTitle: '删除映射 {{name}}？',
    mappingDescription: '映射将停止，其设置将被删除。经过它的连接会被关闭。',
    serverTitle: '删除服务器 {{name}}？',
    serverDescription: '已保存的服务器将被删除，映射将无法再使用它。',
    relayTitle: '删除中继 {{name}}？',
    relayDescription: '已保存的中继、其令牌和固定的证书将被删除，映射将无法再使用它。',
    inUse: '{{usedBy}}。请先删除或修改这些映射。',
  },
  noToken: {
    title: 'Porthole 需要访问令牌',
    open: '请打开 <1>porthole ui</1> 打印的网址，包括其中的 <3>#token=…</3> 部分。',
    why: '令牌可防止此网络上的其他页面和其他人控制你的映射。',
  },
};
