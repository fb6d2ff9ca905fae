import type { Catalog } from '../../catalog';
import type { editors as en } from '../en/editors';

export const editors: Catalog<typeof en> = {
  editors: {
    ruleDialog: {
      editTitle: '编辑 {{name}}',
      newTitle: '新建映射',
      name: '名称',
      namePlaceholder: '例如 测试环境 Web',
      type: '类型',
      password: '密码',
      passwordStored: '已保存 — 留空则保留',
      passwordPlaceholder: '设置后客户端必须提供',
      passwordHint: '保存在 Porthole 的密钥存储中，不会写入映射文件。',
      enabled: '启用',
      startNow: '立即启动',
      save: '保存更改',
      create: '创建映射',
    },
    ruleForm: {
      exposedHost: '监听 {{host}} 会让其他机器可以访问此端口',
      remoteExposed: '在 SSH 服务器上绑定 {{host}} 会让那里的其他机器也能访问此端口（服务器须允许：GatewayPorts）',
      portInUse: '已被“{{name}}”（{{address}}）使用——请换一个端口',
      listEntry: '“{{entry}}”：{{message}}',
    },
    groupTags: {
      group: '分组',
      groupPlaceholder: '无',
      groupHint: '一个开关即可启用或停用整个分组。',
      tags: '标签',
      tagsPlaceholder: '例如 web, staging',
      tagsHint: '多个标签用逗号分隔。',
      entered: '已输入的标签',
      remove: '移除标签 {{tag}}',
    },
    templateNames: {
      ssh: 'SSH',
      rdp: '远程桌面',
      web: 'Web',
      db: '数据库',
      socks: 'SOCKS 代理',
      'relay-web': 'Web 应用',
    },
  },
};
