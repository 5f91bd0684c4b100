/* escape: context-specific escaping. */
#include "escape.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void escape_html(struct buf *out, const char *s, size_t len)
{
        /* the five characters HTML needs escaped; everything else is copied in runs */
        static const unsigned char special[256] = {
            ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1};
        const unsigned char *u = (const unsigned char *)s;
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
                if (!special[u[i]])
                        continue;
                const char *rep = u[i] == '&'   ? "&amp;"
                                  : u[i] == '<' ? "&lt;"
                                  : u[i] == '>' ? "&gt;"
                                  : u[i] == '"' ? "&quot;"
                                                : "&#39;";
                buf_put(out, s + start, i - start);
                buf_puts(out, rep);
                start = i + 1;
        }
        buf_put(out, s + start, len - start);
}

/* XML 1.0 allows TAB, LF, CR and everything from U+0020 up, except U+FFFE and U+FFFF. */
void escape_xml(struct buf *out, const char *s, size_t len)
{
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = u[i];
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                        continue;
                if (c == 0xEF && i + 2 < len && u[i + 1] == 0xBF && (u[i + 2] & 0xFE) == 0xBE) {
                        i += 2;
                        continue;
                }
                switch (c) {
                case '&':
                        buf_puts(out, "&amp;");
                        break;
                case '<':
                        buf_puts(out, "&lt;");
                        break;
                case '>':
                        buf_puts(out, "&gt;");
                        break;
                case '"':
                        buf_puts(out, "&quot;");
                        break;
                case '\'':
                        buf_puts(out, "&apos;");
                        break;
                default:
                        buf_putc(out, (char)c);
                }
        }
}

static void percent(struct buf *out, unsigned char c)
{
        static const char hex[] = "0123456789ABCDEF";
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        buf_put(out, e, 3);
}

void escape_url_segment(struct buf *out, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
                        buf_putc(out, (char)c);
                else
                        percent(out, c);
        }
}

void escape_url(struct buf *out, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' ||
                    c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}')
                        percent(out, c);
                else
                        buf_putc(out, (char)c);
        }
}

void escape_script_json(struct buf *out, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '<')
                        buf_puts(out, "\\u003c");
                else if (c == '>')
                        buf_puts(out, "\\u003e");
                else if (c == '&')
                        buf_puts(out, "\\u0026");
                else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                         ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
                        buf_puts(out, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
                        i += 2;
                } else
                        buf_putc(out, (char)c);
        }
}

/* Browsers drop ASCII tab and newlines anywhere in a URL and trim leading controls and
 * spaces before reading the scheme; we read the scheme the same way. A URL whose first
 * ':' comes after a '/', '?' or '#' (or that has none) is a relative reference. */
bool escape_url_is_safe(const char *url)
{
        char scheme[16];
        size_t n = 0;
        int valid = 1, entity = 0;
        const unsigned char *p = (const unsigned char *)url;
        while (*p && *p <= 0x20)
                p++;
        for (; *p; p++) {
                if (*p == '\t' || *p == '\n' || *p == '\r')
                        continue;
                if (*p == '&')
                        entity = 1; /* "&#x61;" could hide a letter of a scheme */
                if (*p == '/' || *p == '?' || (*p == '#' && !entity))
                        return true;
                if (*p == ':')
                        break;
                if (!(isalnum(*p) || *p == '+' || *p == '-' || *p == '.'))
                        valid = 0;
                if (n + 1 < sizeof scheme)
                        scheme[n] = (char)tolower(*p);
                n++;
        }
        if (!*p)
                return true; /* no colon at all: a relative path */
        if (entity)
                return false;
        if (!valid || n == 0)
                return true; /* "图:x" is no scheme to a browser: a relative path */
        if (n >= sizeof scheme)
                return false;
        scheme[n] = '\0';
        return !strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "mailto") ||
               !strcmp(scheme, "tel");
}
