// Strings of the settings area (filled in as its components move to t()).
export const settings = {} as const;
