// Strings of the shell area (filled in as its components move to t()).
export const shell = {} as const;
