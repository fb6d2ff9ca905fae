// Strings of the logs area (filled in as its components move to t()).
export const logs = {} as const;
