/* utf8: decoding through utf8proc, character classes. */
#include "utf8.h"

#include <utf8proc.h>

int utf8_next_other(const char *s, int *cp)
{
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
