// Shared words, the footer, banners and the delete dialogs.
export const common = {
  common: {
    cancel: 'Cancel',
    close: 'Close',
    delete: 'Delete',
    edit: 'Edit',
    copy: 'Copy',
    copied: 'Copied',
    copyFailed: 'Copy failed',
    dismissError: 'Dismiss error',
    dismissMessage: 'Dismiss message',
    optional: 'Optional.',
    forwardsTo: 'forwards to',
  },
  footer: {
    connecting: 'Connecting…',
    desktop: 'Desktop',
    browserMode: 'Browser mode',
    dataTitle: 'Where mappings, keys and logs are kept',
    data: 'Data:',
  },
  banners: {
    reconnecting: 'Disconnected from the Porthole host — reconnecting…',
    unreachable:
      'Cannot reach the Porthole host — reconnecting… If this keeps up, check that this page’s #token=… is the one porthole ui printed.',
    recoveryBefore: 'Your saved mappings file was unreadable and was moved to',
    recoveryAfter: '({{reason}}). Porthole started with an empty list.',
  },
  deleteDialog: {
    couldNotDelete: 'Could not delete “{{name}}”: {{error}}',
    mappingTitle: 'Delete mapping {{name}}?',
    mappingDescription: 'The mapping stops and its settings are removed. Connections through it are closed.',
    serverTitle: 'Delete server {{name}}?',
    serverDescription: 'The saved server is removed. Mappings cannot use it any more.',
    relayTitle: 'Delete relay {{name}}?',
    relayDescription: 'The saved relay, its token and its pinned certificate are removed. Mappings cannot use it any more.',
    inUse: '{{usedBy}}. Delete or change those mappings first.',
  },
  noToken: {
    title: 'Porthole needs its access token',
    open: 'Open the URL printed by <1>porthole ui</1>, including its <3>#token=…</3> part.',
    why: 'The token keeps other pages and people on this network from controlling your mappings.',
  },
} as const;
