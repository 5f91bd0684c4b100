/* utf8: decoding through utf8proc, character classes. */
#include "utf8.h"

#include <utf8proc.h>

int utf8_next(const char *s, int *cp)
{
        const unsigned char *p = (const unsigned char *)s;
        /* ASCII and the three-byte characters of Chinese text are decoded here (the
         * text scans call this for every character); anything else goes
         * to utf8proc. The && order never reads past a NUL. */
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
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, 4, &c);
        if (n <= 0) {
                *cp = (unsigned char)s[0];
                return 1;
        }
        *cp = c;
        return (int)n;
}

bool utf8_is_han(int cp)
{
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
               (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3007;
}
