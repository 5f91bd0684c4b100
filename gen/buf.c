/* buf: growable byte buffer and allocation wrappers. */
#include "buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
        fprintf(stderr, "gen: out of memory (%zu bytes)\n", n);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                out_of_memory(n);
        return p;
}

void *xcalloc(size_t count, size_t size)
{
        void *p = calloc(count ? count : 1, size ? size : 1);
        if (!p)
                out_of_memory(count * size);
        return p;
}

void *xrealloc(void *p, size_t n)
{
        void *q = realloc(p, n ? n : 1);
        if (!q)
                out_of_memory(n);
        return q;
}

char *xstrdup(const char *s)
{
        return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
        n = strnlen(s, n); /* never past the string's end */
        char *p = xmalloc(n + 1);
        memcpy(p, s, n);
        p[n] = '\0';
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        return buf_detach(&b);
}

void buf_init(struct buf *b)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
}

void buf_free(struct buf *b)
{
        free(b->data);
        buf_init(b);
}

void buf_reset(struct buf *b)
{
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL: exactly that much when exact, else growing
 * by half again each time so that a long run of small writes costs amortised constant
 * time. */
static void make_room(struct buf *b, size_t extra, bool exact)
{
        if (extra > SIZE_MAX - b->len - 1)
                out_of_memory(SIZE_MAX);
        size_t need = b->len + extra + 1;
        if (need <= b->cap)
                return;
        size_t cap = need;
        if (!exact) {
                cap = b->cap ? b->cap : 64;
                while (cap < need)
                        cap = cap > SIZE_MAX / 3 * 2 ? need : cap + cap / 2;
        }
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
}

void buf_grow(struct buf *b, size_t extra)
{
        make_room(b, extra, false);
}

void buf_reserve(struct buf *b, size_t extra)
{
        make_room(b, extra, true);
}

void buf_put_grow(struct buf *b, const void *data, size_t len)
{
        buf_grow(b, len);
        if (len)
                memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
}

void buf_putc_grow(struct buf *b, char c)
{
        buf_grow(b, 1);
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
        va_list ap2;
        va_copy(ap2, ap);
        buf_grow(b, 64);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        if (n < 0) {
                va_end(ap2);
                return;
        }
        if ((size_t)n >= b->cap - b->len) {
                buf_grow(b, (size_t)n);
                vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
        }
        va_end(ap2);
        b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(b, fmt, ap);
        va_end(ap);
}

void buf_put_u64(struct buf *b, uint64_t v)
{
        char d[20]; /* 2^64 - 1 has 20 digits */
        size_t n = 0;
        do {
                d[sizeof d - ++n] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        buf_put(b, d + sizeof d - n, n);
}

void buf_put_i64(struct buf *b, int64_t v)
{
        if (v < 0) {
                buf_putc(b, '-');
                buf_put_u64(b, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
        } else {
                buf_put_u64(b, (uint64_t)v);
        }
}

void buf_truncate(struct buf *b, size_t len)
{
        if (len < b->len) {
                b->len = len;
                b->data[len] = '\0';
        }
}

char *buf_detach(struct buf *b)
{
        char *s = b->data ? b->data : xstrdup("");
        buf_init(b);
        return s;
}

const char *buf_cstr(const struct buf *b)
{
        return b->data ? b->data : "";
}
