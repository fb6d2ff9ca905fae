// Strings of the editors area (filled in as its components move to t()).
export const editors = {} as const;
