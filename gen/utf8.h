/* utf8: one character at a time, and the character classes the portal's rules for
 * Chinese text share (reading time, import, lint). Decoding is utf8proc's. */
#ifndef GONGBAO_UTF8_H
#define GONGBAO_UTF8_H

#include <stdbool.h>
#include <stdint.h>

/* Decodes the character at s (NUL-terminated) into *cp and returns its length in bytes;
 * an invalid byte decodes as itself, length 1, so a scan always moves on. */
int utf8_next(const char *s, int *cp);

/* True for Han ideographs: CJK unified (with extensions A to G), compatibility ideographs
 * and 〇. */
bool utf8_is_han(int cp);

#endif
