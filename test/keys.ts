// Throwaway credentials for tests only: the admin token and an Ed25519 key pair (base64 PKCS#8
// private, base64url raw public) that signs archive manifests. Never used outside tests.
export const TEST_ADMIN_TOKEN = "test-admin-token"
export const TEST_AUDIT_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIPsiYyBkOdj10UXNyruYKG247OsFgoqDCUFGCkiR9qJy"
export const TEST_AUDIT_PUBLIC_KEY = "zFlzsxKFOn4tjIUnTZcZc-8L3xxP5W_MfStTy0u0DJk"
/** Signs member sessions in tests (BERTH_SESSION_SECRET). */
export const TEST_SESSION_SECRET = "test-session-secret-0123456789abcdefghijklmnopqrstuvwxyz"
/** The vault's root key in tests (BERTH_VAULT_KEY). */
export const TEST_VAULT_KEY = "test-vault-key-7f3c9a1e5b2d4f6081a3c5e7f9b1d3f5"
