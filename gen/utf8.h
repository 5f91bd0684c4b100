/* utf8: one character at a time, and the character classes the portal's rules for
 * Chinese text share (reading time, import, lint). Decoding is utf8proc's. */
#ifndef GONGBAO_UTF8_H
#define GONGBAO_UTF8_H

#include <stdbool.h>
#include <stdint.h>

/* What utf8_next hands to utf8proc: characters other than ASCII and three-byte ones. */
int utf8_next_other(const char *s, int *cp);

/* Decodes the character at s (NUL-terminated) into *cp and returns its length in bytes;
 * an invalid byte decodes as itself, length 1, so a scan always moves on. ASCII and the
 * three-byte characters of Chinese text are decoded inline (the text scans call this for
 * every character); the && order never reads past a NUL. */
static inline int utf8_next(const char *s, int *cp)
{
        const unsigned char *p = (const unsigned char *)s;
        if (p[0] < 0x80) {
                *cp = p[0];
                return 1;
        }
        if (p[0] >= 0xE0 && p[0] < 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
                int c = (p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
                if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
                        *cp = c;
                        return 3;
                }
        }
        return utf8_next_other(s, cp);
}

/* True for Han ideographs: CJK unified (with extensions A to G), compatibility ideographs
 * and 〇. */
bool utf8_is_han(int cp);

#endif
