import type { SafeStorage } from 'electron';
import { type SecretCodec, fileOnlyCodec } from '../store/secret-store';

// Secrets encrypted with the OS keychain (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on
// Linux). Where Electron can only offer its hard-coded "basic_text" key (Linux desktops without a
// keyring), or no encryption at all, that is no protection, so it is never used: the user either
// keeps the plain 0600 file (and the UI says so), or switches to memory-only, where secrets last until
// Porthole quits and are asked for again after. Only a type comes from electron: main.ts passes
// safeStorage in, so this is tested in plain Node.

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>;

export interface DesktopSecretCodec extends SecretCodec {
  /** True when secrets are encrypted by an OS keyring; false: plain file or memory only. */
  readonly keyring: boolean;
  /** The "don't save passwords without a keyring" switch; ignored where there is a keyring. */
  setMemoryOnly(on: boolean): void;
}

export const NO_KEYRING_FILE_TEXT = `${fileOnlyCodec.backend} — this desktop has no keyring Porthole can use`;
export const NO_KEYRING_MEMORY_TEXT =
  'memory only, until Porthole quits — this desktop has no keyring, and saving passwords in a plain file is switched off (tray menu)';

function keyringName(platform: NodeJS.Platform, backend: string | undefined): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows DPAPI';
  return `the desktop keyring (${backend ?? 'unknown'})`;
}

/** Call after `ready`: safeStorage answers only then. */
export function safeStorageCodec(
  safe: SafeStorageLike,
  opts: { memoryOnly: boolean; platform?: NodeJS.Platform },
): DesktopSecretCodec {
  const platform = opts.platform ?? process.platform;
  const linuxBackend = platform === 'linux' ? safe.getSelectedStorageBackend() : undefined;
  const usable = safe.isEncryptionAvailable() && linuxBackend !== 'basic_text' && linuxBackend !== 'unknown';
  if (usable) {
    return {
      keyring: true,
      backend: `encrypted with ${keyringName(platform, linuxBackend)}`,
      scheme: 'keychain',
      encode: (plain) => safe.encryptString(plain).toString('base64'),
      decode: (stored) => safe.decryptString(Buffer.from(stored, 'base64')),
      setMemoryOnly: () => {},
    };
  }
  let memoryOnly = opts.memoryOnly;
  const listeners: Array<() => void> = [];
  return {
    keyring: false,
    get backend() {
      return memoryOnly ? NO_KEYRING_MEMORY_TEXT : NO_KEYRING_FILE_TEXT;
    },
    get keep() {
      return memoryOnly ? ('memory' as const) : ('disk' as const);
    },
    scheme: fileOnlyCodec.scheme,
    encode: fileOnlyCodec.encode,
    decode: fileOnlyCodec.decode,
    onKeepChange: (listener) => void listeners.push(listener),
    setMemoryOnly(on) {
      if (on === memoryOnly) return;
      memoryOnly = on;
      for (const l of listeners) l();
    },
  };
}
