import { safeStorage } from 'electron';
import { type SecretCodec, fileOnlyCodec } from '../store/secret-store';

// Secrets encrypted with the OS keychain (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on
// Linux). Where Electron can only offer its hard-coded "basic_text" key (some Linux desktops without a
// keyring) that is no protection at all, so the plain 0600 file is used and the UI says so — never
// pretending to encrypt.

export function safeStorageCodec(): SecretCodec {
  const linuxBackend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined;
  if (!safeStorage.isEncryptionAvailable() || linuxBackend === 'basic_text' || linuxBackend === 'unknown') {
    return {
      ...fileOnlyCodec,
      backend: 'file readable only by you (secrets.json, mode 0600) — this desktop has no keyring Porthole can use',
    };
  }
  const where = process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows DPAPI' : `the desktop keyring (${linuxBackend})`;
  return {
    backend: `encrypted with ${where}`,
    encode: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  };
}
