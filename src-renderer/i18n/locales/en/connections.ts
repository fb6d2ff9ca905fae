// The Connections view.
export const connections = {
  connections: {
    title: 'Connections',
    refreshFailed: 'Could not refresh connections: {{error}}',
    closeFailed: 'Could not close the connection from {{client}}: {{error}}',
    filter: 'Filter connections',
    filterPlaceholder: 'Mapping name or client address',
    mapping: 'Mapping',
    allMappings: 'All mappings',
    loading: 'Loading connections…',
    none: 'No open connections',
    noMatch: 'No connections match this filter',
    actions: 'Actions',
    closeAria: 'Close connection from {{client}}',
    close: 'Close',
    count_one: '{{count}} connection',
    count_other: '{{count}} connections',
    countOf_one: '{{shown}} of {{count}} connection',
    countOf_other: '{{shown}} of {{count}} connections',
    column: { mapping: 'Mapping', protocol: 'Protocol', client: 'Client', since: 'Since', bytesIn: 'In', bytesOut: 'Out', state: 'State' },
    state: { connecting: 'Connecting', open: 'Open', 'half-closed': 'Half-closed', active: 'Active' },
  },
} as const;
