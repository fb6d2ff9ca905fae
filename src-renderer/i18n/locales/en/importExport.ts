// Strings of the importExport area (filled in as its components move to t()).
export const importExport = {} as const;
