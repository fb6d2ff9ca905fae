// The error every profile reader throws for input it cannot import: the message names the file (and
// line) and says what is wrong. It belongs to this layer; the CLI maps it to exit 2 and the import
// service shows it as the file's error, neither of which the readers know about.

export class ProfileError extends Error {
  override name = 'ProfileError';
}
