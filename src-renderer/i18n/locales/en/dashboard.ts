// Strings of the dashboard area (filled in as its components move to t()).
export const dashboard = {} as const;
