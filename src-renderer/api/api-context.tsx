import { createContext, useContext, type ReactNode } from 'react';
import type { Actions } from '../store/actions';

const ActionsContext = createContext<Actions | null>(null);

export function ActionsProvider({ actions, children }: { actions: Actions; children: ReactNode }) {
  return <ActionsContext.Provider value={actions}>{children}</ActionsContext.Provider>;
}

export function useActions(): Actions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useActions() needs an <ActionsProvider> above it');
  return actions;
}
