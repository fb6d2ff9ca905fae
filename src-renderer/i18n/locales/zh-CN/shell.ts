import type { Catalog } from '../../catalog';
import type { shell as en } from '../en/shell';

export const shell: Catalog<typeof en> = {
  shell: {
    header: {
      noMappings: '没有映射',
      running: '运行中 {{running}}/{{total}}',
      newMapping: '新建映射',
    },
    tabs: {
      label: '视图',
      mappings: '映射',
      dashboard: '仪表盘',
      connections: '连接',
      inspector: '检查器',
      servers: '服务器',
      relay: '中继',
      settings: '设置',
    },
    notice: {
      couldNotStart: '无法启动“{{name}}”：{{error}}',
      couldNotStop: '无法停止“{{name}}”：{{error}}',
      couldNotStartGroup: '无法启动分组“{{group}}”：{{error}}',
      couldNotStopGroup: '无法停止分组“{{group}}”：{{error}}',
      couldNotAnswerHostKey: '无法回应主机密钥提示：{{error}}',
      couldNotRead: '无法读取 {{names}}：{{error}}',
      couldNotUndo: '无法撤销导入：{{error}}',
    },
  },
};
