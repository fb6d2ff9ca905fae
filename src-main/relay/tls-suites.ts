/** TLS 1.3 suites, fastest first where AES-NI exists (AES-128-GCM costs less CPU per byte than AES-256). */
export const TLS_CIPHERSUITES = 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384';
