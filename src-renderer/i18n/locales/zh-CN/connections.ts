import type { Catalog } from '../../catalog';
import type { connections as en } from '../en/connections';

export const connections: Catalog<typeof en> = {
  connections: {
    title: '连接',
    refreshFailed: '无法刷新连接：{{error}}',
    closeFailed: '无法关闭来自 {{client}} 的连接：{{error}}',
    filter: '筛选连接',
    filterPlaceholder: '映射名称或客户端地址',
    mapping: '映射',
    allMappings: '全部映射',
    loading: '正在加载连接…',
    none: '没有打开的连接',
    noMatch: '没有符合筛选条件的连接',
    actions: '操作',
    closeAria: '关闭来自 {{client}} 的连接',
    close: '关闭',
    count_other: '{{count}} 个连接',
    countOf_other: '{{shown}} / {{count}} 个连接',
    column: { mapping: '映射', protocol: '协议', client: '客户端', since: '持续', bytesIn: '入', bytesOut: '出', state: '状态' },
    state: { connecting: '正在连接', open: '打开', 'half-closed': '半关闭', active: '活动' },
  },
};
