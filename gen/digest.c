/* digest: SHA-256 through libcrypto. */
#include "digest.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

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

struct digest_sha256_stream *digest_sha256_begin(void)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                ctx = NULL;
        }
        return (struct digest_sha256_stream *)ctx;
}

void digest_sha256_add(struct digest_sha256_stream *s, const void *data, size_t len)
{
        EVP_DigestUpdate((EVP_MD_CTX *)s, data, len);
}

void digest_sha256_end(struct digest_sha256_stream *s, unsigned char md[32])
{
        unsigned int n = 0;
        if (EVP_DigestFinal_ex((EVP_MD_CTX *)s, md, &n) != 1 || n != 32)
                memset(md, 0, 32); /* a seal that checks nothing out: the memo is not used */
        EVP_MD_CTX_free((EVP_MD_CTX *)s);
}

void digest_hex(char *out, const unsigned char *p, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[p[i] >> 4];
                out[2 * i + 1] = hex[p[i] & 15];
        }
        out[2 * n] = '\0';
}

/* One more than each byte's value as a lowercase hex digit, 0 for any other byte:
 * manifests and memos hold tens of thousands of digests, read back on every build. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

int digest_unhex(const char *s, unsigned char *out, size_t n)
{
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < n; i++) {
                unsigned h = hex_digit[u[2 * i]], l = hex_digit[u[2 * i + 1]];
                if (!h || !l)
                        return -1;
                out[i] = (unsigned char)((h - 1) << 4 | (l - 1));
        }
        return 0;
}

void digest_sha256_hex(struct buf *out, const void *data, size_t len)
{
        unsigned char md[SHA256_DIGEST_LENGTH];
        char hex[2 * SHA256_DIGEST_LENGTH + 1];
        SHA256(data, len, md);
        digest_hex(hex, md, sizeof md);
        buf_put(out, hex, 2 * sizeof md);
}
