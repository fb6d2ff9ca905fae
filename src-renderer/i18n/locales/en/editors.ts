// Strings of the editors area: the mapping create/edit dialog and its group/tag fields.
export const editors = {
  editors: {
    ruleDialog: {
      editTitle: 'Edit {{name}}',
      newTitle: 'New mapping',
      name: 'Name',
      namePlaceholder: 'e.g. Staging web',
      /** The type select. It was "Protocol" when the choice was TCP or UDP; e2e specs still find it by that name. */
      type: 'Protocol',
      password: 'Password',
      passwordStored: 'stored — leave empty to keep it',
      passwordPlaceholder: 'required by clients when set',
      passwordHint: "Kept in Porthole's secret store, never in the mappings file.",
      enabled: 'Enabled',
      startNow: 'Start now',
      save: 'Save changes',
      create: 'Create mapping',
    },
    /**
     * Rule form messages with a value in them. forms/rule-form.ts makes them with t() when it checks
     * (messages.ts maps only fixed texts, which are in validation.*).
     */
    ruleForm: {
      exposedHost: 'Listening on {{host}} makes this port reachable from other machines',
      remoteExposed: 'Binding to {{host}} on the SSH server makes the port reachable from other machines there (the server must allow it: GatewayPorts)',
      portInUse: 'already used by “{{name}}” ({{address}}) — choose another port',
      listEntry: '“{{entry}}”: {{message}}',
    },
    groupTags: {
      group: 'Group',
      groupPlaceholder: 'none',
      groupHint: 'One switch turns a whole group on or off.',
      tags: 'Tags',
      tagsPlaceholder: 'e.g. web, staging',
      tagsHint: 'Separate tags with commas.',
      entered: 'Tags entered',
      remove: 'Remove tag {{tag}}',
    },
    /** The name a quick start puts in the Name field (the button texts are templates.*). */
    templateNames: {
      ssh: 'SSH',
      rdp: 'Remote desktop',
      web: 'Web',
      db: 'Database',
      socks: 'SOCKS proxy',
      'relay-web': 'Web app',
    },
  },
} as const;
