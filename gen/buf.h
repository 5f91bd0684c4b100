/* buf: growable byte buffer, always NUL-terminated, plus the allocation wrappers
 * every module uses. Out of memory is the one condition no module recovers from:
 * the x*alloc wrappers print a message and abort. */
#ifndef GONGBAO_BUF_H
#define GONGBAO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WUR __attribute__((warn_unused_result))

/* A growable byte string. data is NULL until the first write, after which
 * data[len] == '\0' always holds. Zero-initialise or call buf_init. */
struct buf {
        char *data; /* bytes, NUL-terminated once allocated */
        size_t len; /* bytes in use, not counting the NUL */
        size_t cap; /* bytes allocated */
};

/* Allocation wrappers: never return NULL (abort on exhaustion). Caller frees with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* At most n bytes of s (fewer when s ends first). Caller frees with free(). */
char *xstrndup(const char *s, size_t n);
/* Caller frees with free(). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Keeps the allocation, sets len to 0. */
void buf_reset(struct buf *b);
/* Makes room for extra more bytes plus the NUL. */
void buf_grow(struct buf *b, size_t extra);
/* The same, with no room to spare: for a buffer of megabytes whose size is known. */
void buf_reserve(struct buf *b, size_t extra);
/* The out-of-line halves of buf_put and buf_putc, for when b must grow. */
void buf_put_grow(struct buf *b, const void *data, size_t len);
void buf_putc_grow(struct buf *b, char c);

/* Appends len bytes. Inline while they fit: the renderers append a few bytes at a time,
 * hundreds of millions of times in a large build. */
static inline void buf_put(struct buf *b, const void *data, size_t len)
{
        if (len < b->cap - b->len) { /* room for the bytes and the NUL (cap > len once used) */
                if (len)             /* data may be NULL then */
                        memcpy(b->data + b->len, data, len);
                b->len += len;
                b->data[b->len] = '\0';
        } else {
                buf_put_grow(b, data, len);
        }
}

static inline void buf_puts(struct buf *b, const char *s)
{
        buf_put(b, s, strlen(s));
}

static inline void buf_putc(struct buf *b, char c)
{
        if (b->cap - b->len >= 2) {
                b->data[b->len++] = c;
                b->data[b->len] = '\0';
        } else {
                buf_putc_grow(b, c);
        }
}

void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends v in decimal ("-" first when negative): what buf_printf's %lld gives, without
 * parsing a format (files of tens of thousands of numbers are written on every build). */
void buf_put_i64(struct buf *b, int64_t v);
void buf_put_u64(struct buf *b, uint64_t v);
void buf_truncate(struct buf *b, size_t len);
/* Returns the contents as a NUL-terminated string (never NULL) and leaves b empty.
 * Caller frees with free(). */
char *buf_detach(struct buf *b);
/* Returns a pointer to the NUL-terminated contents ("" when empty); owned by b. */
const char *buf_cstr(const struct buf *b);

#endif
