// Strings of the mappings area (filled in as its components move to t()).
export const mappings = {} as const;
