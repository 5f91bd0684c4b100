/* digest: SHA-256 through libcrypto. */
#include "digest.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

void digest_sha256_base64(struct buf *out, const void *data, size_t len)
{
        unsigned char md[SHA256_DIGEST_LENGTH];
        unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
        SHA256(data, len, md);
        int n = EVP_EncodeBlock(b64, md, SHA256_DIGEST_LENGTH);
        buf_put(out, b64, (size_t)n);
}

void digest_sha256(unsigned char md[32], const void *data, size_t len)
{
        SHA256(data, len, md);
}

void digest_sha256_hex(struct buf *out, const void *data, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(data, len, md);
        for (size_t i = 0; i < sizeof md; i++) {
                buf_putc(out, hex[md[i] >> 4]);
                buf_putc(out, hex[md[i] & 15]);
        }
}
