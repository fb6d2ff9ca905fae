import type { Catalog } from '../../catalog';
import type { engineErrors as en } from '../en/engine-errors';

export const engineErrors: Catalog<typeof en> = {
  engineError: {
    targetRefused: '{{where}} 拒绝了连接——该端口上的服务在运行吗？',
    targetUnreachable: '从本机无法到达 {{where}}——请检查目标地址以及到它的网络路由',
    targetNoAnswer: '{{where}} 在 {{duration}} 内没有响应——请检查目标地址和端口，以及是否有防火墙丢弃了连接',
    targetTimedOut: '{{where}} 连接超时——请检查目标地址和端口，以及是否有防火墙丢弃了连接',
    targetDns: '无法解析“{{host}}”——请检查主机名',
    targetReset: '{{where}} 重置了连接——服务断开了它；请查看该服务的日志',
    targetFailed: '到 {{where}} 的连接失败：{{detail}}',
    udpNothingListening: 'UDP {{where}} 上没有程序在监听（该主机回复了“端口不可达”）——该端口上的服务在运行吗？',
    listenLowPort: '无法监听 {{where}}：在此系统上，1024 以下的端口需要管理员权限——请选择 1024 以上的端口',
    listenNotAllowed: '不允许监听 {{where}}——安全策略或防火墙阻止了它；请选择其他端口或地址',
    listenNotHere: '无法监听 {{where}}：{{host}} 不是本机的地址——请使用 127.0.0.1、0.0.0.0 或本机自己的地址',
    listenDns: '无法解析要监听的“{{host}}”——请检查监听地址',
    listenFailed: '无法监听 {{where}}：{{detail}}',
    routerLoopback: '映射监听的是 {{host}}，路由器无法访问——请监听本机的局域网地址（{{lan}}）或所有网络接口（0.0.0.0）',
    routerLoopbackNoLan: '映射监听的是 {{host}}，路由器无法访问——请监听本机的局域网地址或所有网络接口（0.0.0.0）',
  },
};
