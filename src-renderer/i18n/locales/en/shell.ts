// The app shell: the header, the view tabs, and the notices the store's actions show.
export const shell = {
  shell: {
    header: {
      noMappings: 'No mappings',
      running: '{{running}} of {{total}} running',
      newMapping: 'New mapping',
    },
    tabs: {
      label: 'Views',
      mappings: 'Mappings',
      dashboard: 'Dashboard',
      connections: 'Connections',
      inspector: 'Inspector',
      servers: 'Servers',
      relay: 'Relay',
      settings: 'Settings',
    },
    notice: {
      couldNotStart: 'Could not start “{{name}}”: {{error}}',
      couldNotStop: 'Could not stop “{{name}}”: {{error}}',
      couldNotStartGroup: 'Could not start the group “{{group}}”: {{error}}',
      couldNotStopGroup: 'Could not stop the group “{{group}}”: {{error}}',
      couldNotAnswerHostKey: 'Could not answer the host key prompt: {{error}}',
      couldNotRead: 'Could not read {{names}}: {{error}}',
      couldNotUndo: 'Could not undo the import: {{error}}',
    },
  },
} as const;
