/* digest: SHA-256 (OpenSSL's libcrypto), for Content-Security-Policy hashes of the
 * JSON-LD blocks and for cache keys. */
#ifndef GONGBAO_DIGEST_H
#define GONGBAO_DIGEST_H

#include "buf.h"

#include <stddef.h>

/* Appends the base64 SHA-256 of data, as CSP's 'sha256-...' source wants it. */
void digest_sha256_base64(struct buf *out, const void *data, size_t len);
/* The raw SHA-256 of data into md (32 bytes). */
void digest_sha256(unsigned char md[32], const void *data, size_t len);
/* The SHA-256 of bytes given in pieces: digest_sha256_begin (NULL when libcrypto cannot
 * make one), any number of digest_sha256_add, then digest_sha256_end, which frees it. */
struct digest_sha256_stream;
struct digest_sha256_stream *digest_sha256_begin(void);
void digest_sha256_add(struct digest_sha256_stream *s, const void *data, size_t len);
void digest_sha256_end(struct digest_sha256_stream *s, unsigned char md[32]);
/* Appends the lowercase hex SHA-256 of data. */
void digest_sha256_hex(struct buf *out, const void *data, size_t len);
/* Writes the n bytes at p as 2n lowercase hex digits and a NUL into out. */
void digest_hex(char *out, const unsigned char *p, size_t n);
/* Reads 2n lowercase hex digits at s into out. Returns 0, or -1 at anything else. */
int digest_unhex(const char *s, unsigned char *out, size_t n);

#endif
