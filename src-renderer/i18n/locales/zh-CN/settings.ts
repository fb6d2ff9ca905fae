import type { Catalog } from '../../catalog';
import type { settings as en } from '../en/settings';

export const settings: Catalog<typeof en> = {
  settings: {
    loading: '正在加载设置…',
    loadError: '无法加载设置：{{error}}',
    couldNotChange: '无法更改此项：{{error}}',
    saving: '正在保存…',
    appearance: '外观',
    theme: {
      label: '主题',
      hint: '“跟随系统”会随操作系统的浅色或深色模式切换。',
      system: '跟随系统',
      light: '浅色',
      dark: '深色',
    },
    language: {
      label: '语言',
      hint: '“跟随系统”在中文操作系统上使用简体中文，其他系统上使用英文。',
      system: '跟随系统',
    },
    liveStats: '实时统计',
    interval: {
      label: '更新间隔',
      hint: '速率、图表和计数器的刷新频率。越短越流畅，越长越省 CPU。无论如何设置，流量历史都会统计每一个字节。',
      seconds: '{{value}} 秒',
      custom: '{{interval}}（自定义）',
    },
    desktop: {
      title: '桌面应用',
      only: '仅限桌面应用',
      aside: '这些开关属于桌面应用。',
      asideBrowser: '当前为浏览器模式：这些开关属于桌面应用。',
      startAtLogin: '登录时启动',
      startAtLoginHint: '登录系统时打开 Porthole，已启用的映射会自动运行。',
      startHidden: '启动时隐藏',
      startHiddenHint: '启动后只显示在托盘中，不打开此窗口。',
      notifications: '通知',
      notificationsHint: '映射失败或恢复时通知我（反复波动会合并为一条）。',
    },
    secrets: {
      title: '密码与密钥',
      where: '密码和密码短语的保存位置',
      unknown: '未知',
      memoryOnly: '没有密钥环时仅在内存中保存密码',
      memoryOnlyHint: '仅在操作系统没有密钥环时生效：密码只保留到 Porthole 退出（重启后会再次询问），而不是保存在只有你的用户才能读取的文件中。',
      backend: {
        file: '仅你可读的文件（secrets.json，权限 0600）',
        noKeyringFile: '{{file}}——此桌面没有 Porthole 可用的密钥环',
        memory: '仅在内存中，直到 Porthole 退出——此桌面没有密钥环，且已关闭以明文文件保存密码（托盘菜单）',
        encryptedWith: '使用 {{keyring}} 加密',
        encryptedWithDesktop: '使用桌面密钥环（{{name}}）加密',
      },
    },
  },
};
