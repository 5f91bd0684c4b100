/* Unit tests for the core modules: buf, digest's hex, escape, date, yaml, frontmatter, config,
 * output_path_ok and content_body. The headers' documented behaviour is the specification. */
#include "check.h"

#include "buf.h"
#include "config.h"
#include "content.h"
#include "date.h"
#include "diag.h"
#include "digest.h"
#include "escape.h"
#include "frontmatter.h"
#include "fsio.h"
#include "output.h"
#include "site.h"
#include "yaml.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

/* Flushes every message of d into a new string (caller frees). */
static char *messages(struct diag *d)
{
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        if (!f) {
                printf("FAIL open_memstream\n");
                exit(1);
        }
        diag_flush(d, f);
        fclose(f);
        return s;
}

/* CHECK that the flushed messages contain want; shows them when they do not. */
#define CHECK_MSG(msgs, want, name)                                                                \
        do {                                                                                       \
                const char *m_ = (msgs);                                                           \
                CHECK(m_ &&strstr(m_, (want)), (name));                                            \
                if (!(m_ && strstr(m_, (want))))                                                   \
                        printf("  messages were: %s\n", m_ ? m_ : "(null)");                       \
        } while (0)

/* Number of times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
        int n = 0;
        for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* Parses json text the test itself wrote; aborts the test on failure. */
static json_t *load_json(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);
        if (!j) {
                printf("FAIL fixture json: %s at %d:%d\n", err.text, err.line, err.column);
                exit(1);
        }
        return j;
}

static const char *jstr(json_t *obj, const char *key)
{
        return json_string_value(json_object_get(obj, key));
}

static long long jint(json_t *obj, const char *key)
{
        return json_integer_value(json_object_get(obj, key));
}

/* ---- buf ---- */

static void test_buf(void)
{
        struct buf b = {0};
        CHECK_STR(buf_cstr(&b), "", "buf: cstr of a zeroed buffer is \"\"");
        char *s = buf_detach(&b);
        CHECK_STR(s, "", "buf: detach of an empty buffer returns \"\"");
        free(s);
        CHECK(b.data == NULL && b.len == 0, "buf: detach leaves the buffer empty");

        /* Many small writes of every kind, checking the NUL invariant after each. */
        bool nul_ok = true;
        struct buf want = {0};
        for (int i = 0; i < 20000; i++) {
                switch (i % 4) {
                case 0:
                        buf_put(&b, "ab", 2);
                        break;
                case 1:
                        buf_puts(&b, "cde");
                        break;
                case 2:
                        buf_putc(&b, 'f');
                        break;
                case 3:
                        buf_printf(&b, "[%d]", i);
                        break;
                }
                if (!b.data || b.data[b.len] != '\0' || b.len >= b.cap)
                        nul_ok = false;
        }
        for (int i = 0; i < 20000; i++) {
                const char *piece = i % 4 == 0   ? "ab"
                                    : i % 4 == 1 ? "cde"
                                    : i % 4 == 2 ? "f"
                                                 : NULL;
                if (piece)
                        buf_puts(&want, piece);
                else
                        buf_printf(&want, "[%d]", i);
        }
        CHECK(nul_ok, "buf: data[len] == NUL after every put/puts/putc/printf");
        CHECK(b.len > 16 * 1024, "buf: grows across many KB");
        CHECK(b.len == want.len && !memcmp(b.data, want.data, b.len),
              "buf: contents after many KB of mixed writes");
        CHECK(strlen(b.data) == b.len, "buf: no stray NUL in the contents");

        /* One printf longer than the first allocation. */
        buf_reset(&b);
        CHECK(b.len == 0 && b.data && b.data[0] == '\0', "buf: reset empties and keeps NUL");
        size_t cap = b.cap;
        CHECK(cap > 0, "buf: reset keeps the allocation");
        char big[3000];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        buf_printf(&b, "<%s|%d>", big, 42);
        CHECK(b.len == sizeof big - 1 + 5, "buf: printf of 3 KB has the right length");
        CHECK(b.data[0] == '<' && !strcmp(b.data + b.len - 4, "|42>") && b.data[b.len] == '\0',
              "buf: printf of 3 KB has the right contents");

        /* Binary data with NUL bytes inside. */
        buf_reset(&b);
        buf_put(&b, "a\0b", 3);
        CHECK(b.len == 3 && b.data[1] == '\0' && b.data[2] == 'b' && b.data[3] == '\0',
              "buf: put keeps embedded NUL and terminates");
        buf_put(&b, "", 0);
        CHECK(b.len == 3, "buf: put of 0 bytes changes nothing");

        /* truncate */
        buf_reset(&b);
        buf_puts(&b, "hello world");
        buf_truncate(&b, 5);
        CHECK_STR(buf_cstr(&b), "hello", "buf: truncate shortens and terminates");
        CHECK(b.len == 5, "buf: truncate sets len");
        buf_truncate(&b, 50);
        CHECK_STR(buf_cstr(&b), "hello", "buf: truncate beyond len changes nothing");
        buf_truncate(&b, 0);
        CHECK_STR(buf_cstr(&b), "", "buf: truncate to 0");
        buf_puts(&b, "again");
        CHECK_STR(buf_cstr(&b), "again", "buf: writes after truncate");

        s = buf_detach(&b);
        CHECK_STR(s, "again", "buf: detach returns the contents");
        CHECK(b.data == NULL && b.len == 0 && b.cap == 0, "buf: detach resets the buffer");
        free(s);

        /* decimal numbers without a format: the same digits as printf */
        static const int64_t nums[] = {0, 7, -1, 10, 99, 100, INT64_MAX, INT64_MIN, -9000000000};
        for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
                buf_reset(&b);
                buf_reset(&want);
                buf_puts(&b, "x");
                buf_put_i64(&b, nums[i]);
                buf_printf(&want, "x%lld", (long long)nums[i]);
                CHECK_STR(buf_cstr(&b), buf_cstr(&want), "buf: put_i64 writes what printf does");
        }
        buf_reset(&b);
        buf_put_u64(&b, UINT64_MAX);
        CHECK_STR(buf_cstr(&b), "18446744073709551615", "buf: put_u64 of the largest value");
        buf_reset(&b);

        char *f = xasprintf("%s-%d-%s", "a", 7, "医保");
        CHECK_STR(f, "a-7-医保", "buf: xasprintf");
        free(f);
        buf_free(&b);
        buf_free(&want);
}

/* ---- digest's hex ---- */

static void test_hex(void)
{
        unsigned char in[32], out[32];
        for (size_t i = 0; i < sizeof in; i++)
                in[i] = (unsigned char)(i * 37 + 11);
        char hex[65];
        digest_hex(hex, in, sizeof in);
        CHECK(strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64,
              "hex: 64 lowercase digits");
        CHECK(digest_unhex(hex, out, sizeof out) == 0 && !memcmp(in, out, sizeof in),
              "hex: unhex gives the bytes back");
        unsigned char ff[2];
        CHECK(digest_unhex("00ff", ff, 2) == 0 && ff[0] == 0 && ff[1] == 0xff, "hex: 00 and ff");
        /* every byte that is not a lowercase hex digit is refused, in either place */
        int refused = 0, tried = 0;
        for (int c = 0; c < 256; c++) {
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                        continue;
                char hi[3] = {(char)c, '0', 0}, lo[3] = {'0', (char)c, 0};
                tried += 2;
                refused += (digest_unhex(hi, ff, 1) < 0) + (digest_unhex(lo, ff, 1) < 0);
        }
        CHECK(refused == tried, "hex: anything but 0-9 and a-f is refused (NUL too)");
}

/* ---- escape ---- */

typedef void (*escape_fn)(struct buf *, const char *, size_t);

static char *esc(escape_fn fn, const char *s, size_t len)
{
        struct buf b = {0};
        fn(&b, s, len);
        return buf_detach(&b);
}

#define CHECK_ESC(fn, in, want, name)                                                              \
        do {                                                                                       \
                char *e_ = esc(fn, (in), sizeof(in) - 1);                                          \
                CHECK_STR(e_, (want), (name));                                                     \
                free(e_);                                                                          \
        } while (0)

static void test_escape(void)
{
        CHECK_ESC(escape_html, "a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f",
                  "escape: html replaces & < > \" '");
        CHECK_ESC(escape_html, "医保基金 «x» — ok", "医保基金 «x» — ok",
                  "escape: html passes UTF-8 through");
        CHECK_ESC(escape_html, "", "", "escape: html of empty text");
        CHECK_ESC(escape_html, "&amp;", "&amp;amp;", "escape: html escapes an entity again");

        CHECK_ESC(escape_xml,
                  "a\x01"
                  "b\x1f"
                  "c\td\ne",
                  "abc\td\ne", "escape: xml drops 0x01 and 0x1F, keeps tab and newline");
        CHECK_ESC(escape_xml, "x\xef\xbf\xbey\xef\xbf\xbfz", "xyz",
                  "escape: xml drops U+FFFE and U+FFFF");
        CHECK_ESC(escape_xml, "<a & 'b' \"c\">", "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;",
                  "escape: xml replaces & < > \" '");
        CHECK_ESC(escape_xml, "医保\xef\xbf\xbd", "医保\xef\xbf\xbd",
                  "escape: xml keeps Chinese and U+FFFD");
        {
                static const char nul[] = "a\0b";
                char *e = esc(escape_xml, nul, 3);
                CHECK_STR(e, "ab", "escape: xml drops NUL");
                free(e);
        }

        CHECK_ESC(escape_url_segment, "医保 基金/a", "%E5%8C%BB%E4%BF%9D%20%E5%9F%BA%E9%87%91%2Fa",
                  "escape: url_segment percent-encodes UTF-8, space and '/'");
        CHECK_ESC(escape_url_segment, "aZ09-_.~", "aZ09-_.~",
                  "escape: url_segment keeps unreserved ASCII");
        CHECK_ESC(escape_url_segment, "a?b#c&d%", "a%3Fb%23c%26d%25",
                  "escape: url_segment encodes ? # & %");

        CHECK_ESC(escape_url, "https://x.org/a?b=1&c=2#f:g", "https://x.org/a?b=1&c=2#f:g",
                  "escape: url keeps : / ? # & =");
        CHECK_ESC(escape_url, "/a b\"c'd<e>f", "/a%20b%22c%27d%3Ce%3Ef",
                  "escape: url encodes space, quotes, < and >");
        CHECK_ESC(escape_url, "/tags/医保/", "/tags/%E5%8C%BB%E4%BF%9D/",
                  "escape: url encodes non-ASCII bytes");
        CHECK_ESC(escape_url, "/a\nb\x7f", "/a%0Ab%7F", "escape: url encodes controls");

        CHECK_ESC(escape_script_json, "\"</script><!--\"", "\"\\u003c/script\\u003e\\u003c!--\"",
                  "escape: script_json neutralises </script> and <!--");
        CHECK_ESC(escape_script_json, "a&b", "a\\u0026b", "escape: script_json escapes &");
        CHECK_ESC(escape_script_json,
                  "a\xe2\x80\xa8"
                  "b\xe2\x80\xa9"
                  "c",
                  "a\\u2028b\\u2029c", "escape: script_json escapes U+2028 and U+2029");
        CHECK_ESC(escape_script_json, "医保", "医保", "escape: script_json keeps Chinese");

        static const char *const safe[] = {"https://x", "http://x/y", "/a",   "a/b",
                                           "#x",        "mailto:a@b", "?q=1", "tel:+86",
                                           "plain",     "",           NULL};
        for (const char *const *u = safe; *u; u++) {
                char name[128];
                snprintf(name, sizeof name, "escape: url_is_safe(\"%s\") is true", *u);
                CHECK(escape_url_is_safe(*u), name);
        }
        static const char *const unsafe[] = {"javascript:alert(1)",
                                             " JavaScript:x",
                                             "java\tscript:x",
                                             "vbscript:x",
                                             "data:text/html,x",
                                             "jav&#x61;script:x",
                                             "\x01javascript:x",
                                             "JAVASCRIPT:x",
                                             "java\nscript:x",
                                             "file:///etc/passwd",
                                             NULL};
        for (const char *const *u = unsafe; *u; u++) {
                char name[128], shown[64] = "";
                size_t k = 0;
                for (const char *c = *u; *c && k + 4 < sizeof shown; c++)
                        k += (size_t)snprintf(shown + k, sizeof shown - k,
                                              (unsigned char)*c < 0x20 ? "\\x%02x" : "%c",
                                              (unsigned char)*c);
                snprintf(name, sizeof name, "escape: url_is_safe(\"%s\") is false", shown);
                CHECK(!escape_url_is_safe(*u), name);
        }
}

/* ---- date ---- */

static void check_parse(const char *s, int def, long long epoch, int offset, const char *name)
{
        struct gdate g = {0, 0};
        const char *why = NULL;
        int rc = date_parse(s, def, &g, &why);
        char n[160];
        snprintf(n, sizeof n, "%s: parses", name);
        CHECK(rc == 0, n);
        if (rc)
                printf("  why: %s\n", why ? why : "(null)");
        snprintf(n, sizeof n, "%s: epoch", name);
        CHECK(rc == 0 && g.epoch == epoch, n);
        if (rc == 0 && g.epoch != epoch)
                printf("  got %lld, want %lld\n", (long long)g.epoch, epoch);
        snprintf(n, sizeof n, "%s: offset", name);
        CHECK(rc == 0 && g.offset == offset, n);
}

static void check_refused(const char *s, const char *why_part, const char *name)
{
        struct gdate g;
        const char *why = NULL;
        int rc = date_parse(s, 480, &g, &why);
        char n[160];
        snprintf(n, sizeof n, "%s: refused", name);
        CHECK(rc == -1, n);
        snprintf(n, sizeof n, "%s: reason", name);
        CHECK(why && strstr(why, why_part), n);
        if (!(why && strstr(why, why_part)))
                printf("  why: %s (want it to mention \"%s\")\n", why ? why : "(null)", why_part);
}

static void check_roundtrip(const char *s, const char *name)
{
        struct gdate g;
        const char *why;
        struct buf b = {0};
        if (date_parse(s, 0, &g, &why) == 0)
                date_rfc3339(&b, &g);
        CHECK_STR(buf_cstr(&b), s, name);
        buf_free(&b);
}

static void test_date(void)
{
        check_parse("2025-01-20T10:00:00+08:00", 0, 1737338400, 480, "date: full +08:00");
        check_parse("2025-01-20", 480, 1737302400, 480, "date: date only is midnight at +08:00");
        check_parse("2025-01-20", -300, 1737349200, -300, "date: date only at -05:00");
        check_parse("2024-12-31T23:30:00-02:00", 480, 1735695000, -120,
                    "date: -02:00 across the new year");
        check_parse("2025-01-20 10:00Z", 480, 1737367200, 0, "date: space, no seconds, Z");
        check_parse("2025-01-20T10:00:00.123+08:00", 0, 1737338400, 480, "date: fraction");
        check_parse("2025-01-20T10:00:00.5Z", 0, 1737367200, 0, "date: fraction before Z");
        check_parse("2024-02-29", 0, 1709164800, 0, "date: 2024-02-29 (leap year)");
        check_parse("2000-02-29T00:00:00Z", 480, 951782400, 0, "date: 2000-02-29 (400 rule)");
        check_parse("1970-01-01T00:00:00Z", 480, 0, 0, "date: the epoch");
        check_parse("1969-12-31T23:59:59Z", 480, -1, 0, "date: before 1970");
        check_parse("2024-03-10T08:15:00-05:30", 480, 1710078300, -330, "date: -05:30");

        check_refused("2025-02-30", "no such day", "date: 2025-02-30");
        check_refused("2024-02-30", "no such day", "date: 2024-02-30");
        check_refused("2023-02-29", "no such day", "date: 2023-02-29 (not a leap year)");
        check_refused("1900-02-29", "no such day", "date: 1900-02-29 (century rule)");
        check_refused("2025-04-31", "no such day", "date: 2025-04-31");
        check_refused("2025-13-01", "no such day", "date: month 13");
        check_refused("2025-00-10", "no such day", "date: month 0");
        check_refused("2025-01-00", "no such day", "date: day 0");
        check_refused("2025-01-20T25:00:00+08:00", "no such time", "date: hour 25");
        check_refused("2025-01-20T10:60:00+08:00", "no such time", "date: minute 60");
        check_refused("2025-01-20T10:00:00", "needs a zone", "date: time without zone");
        check_refused("2025-01-20T10:00:00+8", "bad zone", "date: zone +8");
        check_refused("2025-01-20T10:00:00+0800", "bad zone", "date: zone +0800");
        check_refused("2025-01-20T10:00:00+08:00x", "bad zone", "date: trailing garbage");
        check_refused("20250120", "ISO 8601", "date: 20250120");
        check_refused("", "ISO 8601", "date: empty string");
        check_refused("2025-1-20", "ISO 8601", "date: one-digit month");
        check_refused("2025-01-20T10", "ISO 8601", "date: hour only");
        check_refused("2025-01-20T10:00:00.+08:00", "ISO 8601", "date: empty fraction");
        check_refused("2025-01-20X10:00:00Z", "ISO 8601", "date: bad separator");

        int m = 0;
        CHECK(date_parse_offset("+08:00", &m) == 0 && m == 480, "date: parse_offset +08:00");
        CHECK(date_parse_offset("-05:30", &m) == 0 && m == -330, "date: parse_offset -05:30");
        CHECK(date_parse_offset("Z", &m) == 0 && m == 0, "date: parse_offset Z");
        CHECK(date_parse_offset("+8:00", &m) == -1, "date: parse_offset +8:00 refused");
        CHECK(date_parse_offset("08:00", &m) == -1, "date: parse_offset without sign refused");
        CHECK(date_parse_offset("", &m) == -1, "date: parse_offset empty refused");

        check_roundtrip("2025-01-20T10:00:00+08:00", "date: rfc3339 round-trip +08:00");
        check_roundtrip("2024-12-31T23:30:00-02:00", "date: rfc3339 round-trip -02:00");
        check_roundtrip("2025-01-20T10:00:00Z", "date: rfc3339 round-trip Z");
        check_roundtrip("2024-03-10T08:15:00-05:30", "date: rfc3339 round-trip -05:30");
        check_roundtrip("2024-02-29T23:59:59+05:45", "date: rfc3339 round-trip +05:45 leap day");
        check_roundtrip("1969-12-31T23:59:59Z", "date: rfc3339 round-trip before 1970");

        struct buf b = {0};
        struct gdate g = {1737338400, 480};
        date_zh(&b, &g);
        CHECK_STR(buf_cstr(&b), "2025年1月20日", "date: zh without leading zeros");
        buf_reset(&b);
        date_ymd(&b, &g);
        CHECK_STR(buf_cstr(&b), "2025-01-20", "date: ymd");
        buf_reset(&b);
        date_rfc3339(&b, &g);
        CHECK_STR(buf_cstr(&b), "2025-01-20T10:00:00+08:00", "date: rfc3339 from epoch");

        /* 2024-12-31T20:00:00Z is 2025-01-01 04:00 in +08:00. */
        struct gdate cn = {1735675200, 480}, utc = {1735675200, 0};
        buf_reset(&b);
        date_zh(&b, &cn);
        CHECK_STR(buf_cstr(&b), "2025年1月1日", "date: zh in +08:00 across a date boundary");
        buf_reset(&b);
        date_zh(&b, &utc);
        CHECK_STR(buf_cstr(&b), "2024年12月31日", "date: zh of the same instant in UTC");
        buf_reset(&b);
        date_ymd(&b, &cn);
        CHECK_STR(buf_cstr(&b), "2025-01-01", "date: ymd in +08:00 across a date boundary");
        buf_reset(&b);
        date_ymd(&b, &utc);
        CHECK_STR(buf_cstr(&b), "2024-12-31", "date: ymd of the same instant in UTC");
        buf_reset(&b);
        date_rfc3339(&b, &utc);
        CHECK_STR(buf_cstr(&b), "2024-12-31T20:00:00Z", "date: rfc3339 offset 0 is Z");

        struct gdate_fields f;
        date_fields(&g, &f);
        CHECK(f.year == 2025 && f.month == 1 && f.day == 20 && f.hour == 10 && f.minute == 0 &&
                  f.second == 0,
              "date: fields of 2025-01-20T10:00:00+08:00");
        CHECK(f.weekday == 1, "date: 2025-01-20 is a Monday (weekday 1)");
        struct gdate sun = {1735488000, 0}; /* 2024-12-29T16:00Z, a Sunday */
        date_fields(&sun, &f);
        CHECK(f.day == 29 && f.weekday == 0, "date: 2024-12-29 is a Sunday (weekday 0)");
        struct gdate thu = {0, 0};
        date_fields(&thu, &f);
        CHECK(f.year == 1970 && f.weekday == 4, "date: 1970-01-01 is a Thursday");
        struct gdate wed = {-1, 0};
        date_fields(&wed, &f);
        CHECK(f.year == 1969 && f.month == 12 && f.day == 31 && f.hour == 23 && f.second == 59 &&
                  f.weekday == 3,
              "date: 1969-12-31T23:59:59Z fields and Wednesday");
        /* The weekday follows the zone: Sunday 20:00 UTC is Monday in +08:00. */
        struct gdate mon = {1735488000 + 4 * 3600, 480};
        date_fields(&mon, &f);
        CHECK(f.day == 30 && f.weekday == 1, "date: weekday in the moment's own zone");
        buf_free(&b);
}

/* ---- yaml ---- */

static struct ynode *yload(const char *text, int line_offset, struct diag *d)
{
        return yaml_load(text, strlen(text), "t.yaml", line_offset, d);
}

static void test_yaml(void)
{
        struct diag *d = diag_new();
        char *m;
        int e0 = 0; /* diag_errors counts flushed messages too: compare with a mark */

        struct ynode *r = yload("a: 1\nb:\n  c: x\n  list: [p, \"q\"]\n", 5, d);
        CHECK(r && r->kind == YNODE_MAPPING && r->nkids == 4, "yaml: mapping with two keys");
        if (r) {
                CHECK(r->line == 6 && r->col == 1, "yaml: root position with line_offset");
                struct ynode *a = ynode_get(r, "a");
                CHECK(a && a->kind == YNODE_SCALAR && !strcmp(a->text, "1") && a->plain,
                      "yaml: scalar text, plain");
                CHECK(a && a->line == 6 && a->col == 4, "yaml: scalar position (line 6, col 4)");
                CHECK(r->kids[2]->line == 7 && r->kids[2]->col == 1, "yaml: key position");
                struct ynode *b = ynode_get(r, "b");
                CHECK(b && b->kind == YNODE_MAPPING && b->line == 8 && b->col == 3,
                      "yaml: nested mapping position");
                struct ynode *c = ynode_get(b, "c");
                CHECK(c && !strcmp(c->text, "x") && c->line == 8 && c->col == 6,
                      "yaml: nested scalar position");
                struct ynode *l = ynode_get(b, "list");
                CHECK(l && l->kind == YNODE_SEQUENCE && l->nkids == 2 && l->line == 9 &&
                          l->col == 9,
                      "yaml: flow sequence and its position");
                CHECK(l && l->nkids == 2 && l->kids[0]->plain && !l->kids[1]->plain &&
                          !strcmp(l->kids[1]->text, "q") && l->kids[1]->col == 13,
                      "yaml: quoted item is not plain, position of item");
                CHECK(ynode_get(r, "nope") == NULL, "yaml: get of a missing key is NULL");
                CHECK(ynode_get(a, "x") == NULL, "yaml: get on a scalar is NULL");
        }
        ynode_free(r);
        CHECK(diag_errors(d) == 0, "yaml: no errors for a good document");

        r = yload("", 0, d);
        CHECK(r && r->kind == YNODE_MAPPING && r->nkids == 0, "yaml: empty input is an empty map");
        ynode_free(r);
        r = yload("# only a comment\n", 0, d);
        CHECK(r && r->kind == YNODE_MAPPING && r->nkids == 0,
              "yaml: comment only is an empty mapping");
        ynode_free(r);

        r = yload("a: 1\nb: 2\na: 3\n", 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: duplicate key refused");
        CHECK_MSG(m, "t.yaml:3:1: error: duplicate key 'a' (first at line 1)",
                  "yaml: duplicate key message and position");
        free(m);
        r = yload("x:\n  a: 1\n  a: 2\n", 10, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: nested duplicate key refused");
        CHECK_MSG(m, "t.yaml:13:3: error: duplicate key 'a' (first at line 12)",
                  "yaml: nested duplicate key with line_offset");
        free(m);

        r = yload("a: &x 1\nb: 2\n", 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: anchor refused");
        CHECK_MSG(m, "t.yaml:1:4: error: YAML anchors", "yaml: anchor message and position");
        free(m);
        r = yload("a: 1\nb: *x\n", 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: alias refused");
        CHECK_MSG(m, "t.yaml:2:4: error: YAML aliases", "yaml: alias message and position");
        free(m);
        r = yload("base: &b {x: 1}\nother: *b\n", 0, d);
        m = messages(d);
        CHECK(r == NULL && count_of(m, "error") >= 1, "yaml: anchor on a mapping refused");
        free(m);

        /* YAML_MAX_DEPTH levels of flow sequences load; one more does not. */
        struct buf deep = {0};
        for (int i = 0; i < YAML_MAX_DEPTH; i++)
                buf_putc(&deep, '[');
        for (int i = 0; i < YAML_MAX_DEPTH; i++)
                buf_putc(&deep, ']');
        e0 = diag_errors(d);
        r = yload(buf_cstr(&deep), 0, d);
        CHECK(r != NULL && diag_errors(d) == e0, "yaml: YAML_MAX_DEPTH levels accepted");
        ynode_free(r);
        buf_reset(&deep);
        for (int i = 0; i < YAML_MAX_DEPTH + 1; i++)
                buf_putc(&deep, '[');
        for (int i = 0; i < YAML_MAX_DEPTH + 1; i++)
                buf_putc(&deep, ']');
        r = yload(buf_cstr(&deep), 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: nesting deeper than YAML_MAX_DEPTH refused");
        CHECK_MSG(m, "nested deeper than 32 levels", "yaml: depth message");
        free(m);
        buf_reset(&deep);
        for (int i = 0; i < 200; i++)
                buf_printf(&deep, "%*sk:\n", i * 2, "");
        r = yload(buf_cstr(&deep), 0, d);
        m = messages(d);
        CHECK(r == NULL && strstr(m, "nested deeper"), "yaml: 200 nested block mappings refused");
        free(m);
        buf_free(&deep);

        static const char nul[] = "a: 1\nb: x\0y\n";
        r = yaml_load(nul, sizeof nul - 1, "t.yaml", 3, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: NUL byte refused");
        CHECK_MSG(m, "t.yaml:5:", "yaml: NUL byte line (with line_offset)");
        CHECK_MSG(m, "NUL byte", "yaml: NUL byte message");
        free(m);

        r = yload("a:\n\tb: 1\n", 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: tab-indented document refused");
        CHECK_MSG(m, "t.yaml:2:1: error: YAML", "yaml: tab error has line:col");
        free(m);
        r = yload("a: [1, 2\nb: 3\n", 4, d);
        m = messages(d);
        CHECK(r == NULL && m && strstr(m, "t.yaml:") && strstr(m, "error: YAML"),
              "yaml: unclosed flow sequence refused");
        free(m);
        r = yload("a: 1\n---\nb: 2\n", 0, d);
        m = messages(d);
        CHECK(r == NULL, "yaml: second document refused");
        CHECK_MSG(m, "only one YAML document", "yaml: second document message");
        free(m);

        /* ynode_bool */
        r = yload("t: true\nf: false\nq: \"true\"\ns: 'false'\nn: 1\nl: [true]\nm: maybe\n", 0, d);
        bool bv = false;
        e0 = diag_errors(d);
        CHECK(r && ynode_bool(ynode_get(r, "t"), "t.yaml", "t", d, &bv) == 0 && bv == true,
              "yaml: bool true");
        CHECK(r && ynode_bool(ynode_get(r, "f"), "t.yaml", "f", d, &bv) == 0 && bv == false,
              "yaml: bool false");
        CHECK(diag_errors(d) == e0, "yaml: bool true/false report nothing");
        CHECK(r && ynode_bool(ynode_get(r, "q"), "t.yaml", "q", d, &bv) == -1,
              "yaml: bool refuses double-quoted \"true\"");
        CHECK(r && ynode_bool(ynode_get(r, "s"), "t.yaml", "s", d, &bv) == -1,
              "yaml: bool refuses single-quoted 'false'");
        CHECK(r && ynode_bool(ynode_get(r, "n"), "t.yaml", "n", d, &bv) == -1,
              "yaml: bool refuses 1");
        CHECK(r && ynode_bool(ynode_get(r, "l"), "t.yaml", "l", d, &bv) == -1,
              "yaml: bool refuses a list");
        CHECK(r && ynode_bool(ynode_get(r, "m"), "t.yaml", "m", d, &bv) == -1,
              "yaml: bool refuses other words");
        m = messages(d);
        CHECK_MSG(m, "t.yaml:3:4: error: q must be true or false", "yaml: bool message at node");
        CHECK(count_of(m, "must be true or false") == 5, "yaml: bool one message per refusal");
        free(m);
        ynode_free(r);

        /* ynode_int */
        r = yload("a: 5\nb: 0\nc: 11\nd: \"5\"\ne: 5x\nf: 99999999999999999999999\ng: -3\n"
                  "h: 1.5\ni: [1]\nj:\n",
                  0, d);
        long lv = 0;
        e0 = diag_errors(d);
        CHECK(r && ynode_int(ynode_get(r, "a"), "t.yaml", "a", 1, 10, d, &lv) == 0 && lv == 5,
              "yaml: int in range");
        CHECK(r && ynode_int(ynode_get(r, "a"), "t.yaml", "a", 5, 5, d, &lv) == 0 && lv == 5,
              "yaml: int at both bounds");
        CHECK(r && ynode_int(ynode_get(r, "g"), "t.yaml", "g", -3, 0, d, &lv) == 0 && lv == -3,
              "yaml: negative int at the lower bound");
        CHECK(diag_errors(d) == e0, "yaml: good ints report nothing");
        lv = 77;
        CHECK(r && ynode_int(ynode_get(r, "b"), "t.yaml", "b", 1, 10, d, &lv) == -1,
              "yaml: int below min refused");
        CHECK(lv == 77, "yaml: refused int leaves *out alone");
        CHECK(r && ynode_int(ynode_get(r, "c"), "t.yaml", "c", 1, 10, d, &lv) == -1,
              "yaml: int above max refused");
        CHECK(r && ynode_int(ynode_get(r, "d"), "t.yaml", "d", 1, 10, d, &lv) == -1,
              "yaml: quoted int refused");
        CHECK(r && ynode_int(ynode_get(r, "e"), "t.yaml", "e", 1, 10, d, &lv) == -1,
              "yaml: int with trailing letters refused");
        CHECK(r && ynode_int(ynode_get(r, "f"), "t.yaml", "f", 1, 10, d, &lv) == -1,
              "yaml: int overflowing long refused");
        CHECK(r && ynode_int(ynode_get(r, "h"), "t.yaml", "h", 1, 10, d, &lv) == -1,
              "yaml: fraction refused");
        CHECK(r && ynode_int(ynode_get(r, "i"), "t.yaml", "i", 1, 10, d, &lv) == -1,
              "yaml: list refused as int");
        CHECK(r && ynode_int(ynode_get(r, "j"), "t.yaml", "j", 1, 10, d, &lv) == -1,
              "yaml: empty value refused as int");
        m = messages(d);
        CHECK_MSG(m, "t.yaml:2:4: error: b must be a whole number from 1 to 10",
                  "yaml: int message names the bounds");
        free(m);
        ynode_free(r);

        /* ynode_string, ynode_string_list */
        r = yload("s: hello\nq: \"null\"\nn: null\nt: ~\nl: [a]\nm: {a: 1}\nnum: 12\n"
                  "list: [a, '', 医保]\nbad: [a, [b]]\nnl: [a, ~]\none: x\n",
                  0, d);
        const char *sv = NULL;
        e0 = diag_errors(d);
        CHECK(r && ynode_string(ynode_get(r, "s"), "t.yaml", "s", d, &sv) == 0 &&
                  !strcmp(sv, "hello"),
              "yaml: string");
        CHECK(r && ynode_string(ynode_get(r, "q"), "t.yaml", "q", d, &sv) == 0 &&
                  !strcmp(sv, "null"),
              "yaml: quoted \"null\" is a string");
        CHECK(r && ynode_string(ynode_get(r, "num"), "t.yaml", "num", d, &sv) == 0 &&
                  !strcmp(sv, "12"),
              "yaml: plain number is accepted as a string");
        CHECK(diag_errors(d) == e0, "yaml: good strings report nothing");
        CHECK(r && ynode_string(ynode_get(r, "n"), "t.yaml", "n", d, &sv) == -1,
              "yaml: string refuses null");
        CHECK(r && ynode_string(ynode_get(r, "t"), "t.yaml", "t", d, &sv) == -1,
              "yaml: string refuses ~");
        CHECK(r && ynode_string(ynode_get(r, "l"), "t.yaml", "l", d, &sv) == -1,
              "yaml: string refuses a list");
        CHECK(r && ynode_string(ynode_get(r, "m"), "t.yaml", "m", d, &sv) == -1,
              "yaml: string refuses a mapping");
        m = messages(d);
        CHECK_MSG(m, "t.yaml:3:4: error: n must be a string, not null", "yaml: null message");
        CHECK_MSG(m, "t.yaml:5:4: error: l must be a string, not a list", "yaml: list message");
        CHECK_MSG(m, "t.yaml:6:4: error: m must be a string, not a mapping",
                  "yaml: mapping message");
        free(m);
        json_t *jl = r ? ynode_string_list(ynode_get(r, "list"), "t.yaml", "list", d) : NULL;
        CHECK(json_array_size(jl) == 3 &&
                  !strcmp(json_string_value(json_array_get(jl, 2)), "医保") &&
                  !strcmp(json_string_value(json_array_get(jl, 1)), ""),
              "yaml: string_list");
        json_decref(jl);
        CHECK(r && ynode_string_list(ynode_get(r, "one"), "t.yaml", "one", d) == NULL,
              "yaml: string_list refuses a single scalar");
        CHECK(r && ynode_string_list(ynode_get(r, "bad"), "t.yaml", "bad", d) == NULL,
              "yaml: string_list refuses a nested list");
        CHECK(r && ynode_string_list(ynode_get(r, "nl"), "t.yaml", "nl", d) == NULL,
              "yaml: string_list refuses a null item");
        m = messages(d);
        CHECK_MSG(m, "t.yaml:11:6: error: one must be a list", "yaml: string_list message");
        free(m);
        ynode_free(r);

        /* ynode_check_keys */
        static const char *const allowed[] = {"title", "date", NULL};
        r = yload("title: a\nx: 1\ndate: b\ny: 2\n", 0, d);
        e0 = diag_errors(d);
        CHECK(r && ynode_check_keys(r, "t.yaml", allowed, d) == -1,
              "yaml: check_keys refuses unknown keys");
        CHECK(diag_errors(d) == e0 + 2, "yaml: check_keys reports each unknown key");
        m = messages(d);
        CHECK_MSG(m, "t.yaml:2:1: error: unknown key 'x' (known: title, date)",
                  "yaml: check_keys message for x");
        CHECK_MSG(m, "t.yaml:4:1: error: unknown key 'y'", "yaml: check_keys message for y");
        free(m);
        ynode_free(r);
        struct diag *d2 = diag_new();
        r = yload("date: b\ntitle: a\n", 0, d2);
        CHECK(r && ynode_check_keys(r, "t.yaml", allowed, d2) == 0 && diag_errors(d2) == 0,
              "yaml: check_keys accepts known keys");
        ynode_free(r);
        diag_free(d2);
        diag_free(d);
}

/* ---- frontmatter ---- */

/* The config json frontmatter_article is checked against. */
static json_t *article_cfg(void)
{
        return load_json("{\"tz_offset\":480,\"topics\":[{\"slug\":\"health\",\"name\":\"健康\"},"
                         "{\"slug\":\"wages\",\"name\":\"欠薪\"}]}");
}

/* Splits text and runs frontmatter_article; returns the article or NULL. *msgs gets the
 * flushed messages (caller frees). */
static json_t *article(const char *text, char **msgs)
{
        struct diag *d = diag_new();
        struct ynode *meta = NULL;
        size_t off = 0;
        int line = 0;
        json_t *a = NULL;
        json_t *cfg = article_cfg();
        if (frontmatter_split("a.md", text, strlen(text), &meta, &off, &line, d) == 0)
                a = frontmatter_article(meta, "a.md", cfg, d);
        ynode_free(meta);
        json_decref(cfg);
        *msgs = messages(d);
        diag_free(d);
        return a;
}

static void test_frontmatter_split(void)
{
        struct diag *d = diag_new();
        struct ynode *meta = NULL;
        size_t off = 0;
        int line = 0;
        char *m;

        const char *t = "---\ntitle: T\ndate: 2025-01-20\n---\nbody\nmore\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == 0,
              "frontmatter: split ok");
        CHECK(meta && meta->kind == YNODE_MAPPING && meta->nkids == 4,
              "frontmatter: split meta is the mapping");
        CHECK(off == 34 && !strncmp(t + off, "body", 4), "frontmatter: body offset");
        CHECK(line == 5, "frontmatter: body_line is the line after the fence");
        const struct ynode *v = ynode_get(meta, "date");
        CHECK(v && v->line == 3 && v->col == 7, "frontmatter: meta positions are file lines");
        ynode_free(meta);

        t = "---\r\ntitle: T\r\ndate: 2025-01-20\r\n---\r\nbody\r\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == 0,
              "frontmatter: CRLF split ok");
        CHECK(off < strlen(t) && !strncmp(t + off, "body", 4), "frontmatter: CRLF body offset");
        CHECK(line == 5, "frontmatter: CRLF body_line");
        v = ynode_get(meta, "title");
        CHECK(v && !strcmp(v->text, "T") && v->line == 2, "frontmatter: CRLF value has no CR");
        ynode_free(meta);

        t = "---\ntitle: T\n...\nbody";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == 0,
              "frontmatter: '...' closes the front matter");
        CHECK(line == 4 && !strcmp(t + off, "body"), "frontmatter: '...' body_line and offset");
        ynode_free(meta);

        t = "---\ntitle: T\n---";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == 0,
              "frontmatter: closing fence at end of file");
        CHECK(off == strlen(t) && line == 4, "frontmatter: empty body at end of file");
        ynode_free(meta);

        t = "---\n---\nbody\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == 0 && meta &&
                  meta->kind == YNODE_MAPPING && meta->nkids == 0,
              "frontmatter: empty front matter is an empty mapping");
        CHECK(line == 3, "frontmatter: empty front matter body_line");
        ynode_free(meta);
        CHECK(diag_errors(d) == 0, "frontmatter: good splits report nothing");

        t = "---\ntitle: T\nbody\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == -1 && !meta,
              "frontmatter: unterminated refused");
        m = messages(d);
        CHECK_MSG(m, "a.md:1:1: error: front matter is not closed",
                  "frontmatter: unterminated message");
        free(m);

        t = "title: T\n---\nbody\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == -1 && !meta,
              "frontmatter: missing refused");
        m = messages(d);
        CHECK_MSG(m, "a.md:1:1: error: missing front matter", "frontmatter: missing message");
        free(m);
        CHECK(frontmatter_split("a.md", "", 0, &meta, &off, &line, d) == -1,
              "frontmatter: empty file refused");
        m = messages(d);
        CHECK_MSG(m, "missing front matter", "frontmatter: empty file message");
        free(m);
        t = "----\ntitle: T\n----\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == -1,
              "frontmatter: '----' is not a fence");
        free(messages(d));

        t = "---\ntitle: T\ntitle: U\n---\nbody\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == -1 && !meta,
              "frontmatter: YAML error refused");
        m = messages(d);
        CHECK_MSG(m, "a.md:3:1: error: duplicate key 'title' (first at line 2)",
                  "frontmatter: YAML errors carry file lines");
        free(m);

        t = "---\n- a\n- b\n---\nbody\n";
        CHECK(frontmatter_split("a.md", t, strlen(t), &meta, &off, &line, d) == -1 && !meta,
              "frontmatter: a list is refused");
        m = messages(d);
        CHECK_MSG(m, "a.md:2:1: error: front matter must be a mapping",
                  "frontmatter: not-a-mapping message");
        free(m);

        /* check_utf8 */
        static const char bad[] = "ab\ncd\xff";
        CHECK(frontmatter_check_utf8("a.md", bad, sizeof bad - 1, d) == -1,
              "frontmatter: check_utf8 refuses 0xFF");
        m = messages(d);
        CHECK_MSG(m, "a.md:2:3: error: invalid UTF-8", "frontmatter: check_utf8 bad byte at 2:3");
        free(m);
        static const char badcn[] = "医保\n基金\xe5\x8c";
        CHECK(frontmatter_check_utf8("a.md", badcn, sizeof badcn - 1, d) == -1,
              "frontmatter: check_utf8 refuses a truncated sequence");
        m = messages(d);
        CHECK_MSG(m, "a.md:2:3: error: invalid UTF-8",
                  "frontmatter: check_utf8 column counts characters");
        free(m);
        static const char nul[] = "x\nyz\0w";
        CHECK(frontmatter_check_utf8("a.md", nul, sizeof nul - 1, d) == -1,
              "frontmatter: check_utf8 refuses NUL");
        m = messages(d);
        CHECK_MSG(m, "a.md:2:3: error: NUL byte", "frontmatter: check_utf8 NUL at 2:3");
        free(m);
        static const char overlong[] = "\xc0\xaf";
        CHECK(frontmatter_check_utf8("a.md", overlong, sizeof overlong - 1, d) == -1,
              "frontmatter: check_utf8 refuses an overlong encoding");
        static const char surrogate[] = "\xed\xa0\x80";
        CHECK(frontmatter_check_utf8("a.md", surrogate, sizeof surrogate - 1, d) == -1,
              "frontmatter: check_utf8 refuses a surrogate");
        free(messages(d));
        static const char good[] = "---\ntitle: 医保基金 «x» 😀\n---\n";
        int e0 = diag_errors(d);
        CHECK(frontmatter_check_utf8("a.md", good, sizeof good - 1, d) == 0 && diag_errors(d) == e0,
              "frontmatter: check_utf8 accepts good UTF-8");
        CHECK(frontmatter_check_utf8("a.md", "", 0, d) == 0, "frontmatter: check_utf8 of nothing");
        diag_free(d);
}

static void test_frontmatter_article(void)
{
        char *m;
        json_t *a = article("---\n"
                            "title: 医保基金运行平稳\n"
                            "date: 2025-01-20T10:00:00+08:00\n"
                            "updated: 2025-01-21\n"
                            "topics: [health, wages]\n"
                            "tags: [医保, 基金]\n"
                            "summary: 摘要。\n"
                            "source: 法治日报\n"
                            "author: 赵晨熙\n"
                            "region: 全国\n"
                            "slug: medical-fund-2024\n"
                            "draft: true\n"
                            "image: /media/fund.jpg\n"
                            "image_alt: 柱状图\n"
                            "datasets: [/data/fund.csv]\n"
                            "corrections:\n"
                            "  - date: 2025-01-22T09:30:00+08:00\n"
                            "    note: 更正数据\n"
                            "  - date: 2025-01-23\n"
                            "    note: 再次更正\n"
                            "---\n"
                            "正文\n",
                            &m);
        CHECK(a != NULL, "frontmatter: article with every key");
        if (!a)
                printf("  messages were: %s\n", m);
        free(m);
        if (a) {
                CHECK_STR(jstr(a, "title"), "医保基金运行平稳", "frontmatter: title");
                CHECK_STR(jstr(a, "date"), "2025-01-20T10:00:00+08:00", "frontmatter: date");
                CHECK(jint(a, "date_epoch") == 1737338400, "frontmatter: date_epoch");
                CHECK(jint(a, "date_offset") == 480, "frontmatter: date_offset");
                CHECK_STR(jstr(a, "updated"), "2025-01-21T00:00:00+08:00",
                          "frontmatter: date-only updated normalised in tz_offset");
                CHECK(jint(a, "updated_epoch") == 1737388800, "frontmatter: updated_epoch");
                CHECK(jint(a, "updated_offset") == 480, "frontmatter: updated_offset");
                json_t *topics = json_object_get(a, "topics");
                CHECK(json_array_size(topics) == 2 &&
                          !strcmp(json_string_value(json_array_get(topics, 0)), "health") &&
                          !strcmp(json_string_value(json_array_get(topics, 1)), "wages"),
                      "frontmatter: topics are slugs in order");
                json_t *tags = json_object_get(a, "tags");
                CHECK(json_array_size(tags) == 2 &&
                          !strcmp(json_string_value(json_array_get(tags, 0)), "医保"),
                      "frontmatter: tags");
                CHECK_STR(jstr(a, "summary"), "摘要。", "frontmatter: summary");
                CHECK_STR(jstr(a, "source"), "法治日报", "frontmatter: source");
                CHECK_STR(jstr(a, "author"), "赵晨熙", "frontmatter: author");
                CHECK_STR(jstr(a, "region"), "全国", "frontmatter: region");
                CHECK_STR(jstr(a, "slug"), "medical-fund-2024", "frontmatter: slug");
                CHECK(jint(a, "slug_line") == 11 && jint(a, "slug_col") == 7,
                      "frontmatter: slug_line and slug_col are file positions");
                CHECK(json_is_true(json_object_get(a, "draft")), "frontmatter: draft true");
                CHECK_STR(jstr(a, "image"), "/media/fund.jpg", "frontmatter: image");
                CHECK_STR(jstr(a, "image_alt"), "柱状图", "frontmatter: image_alt");
                json_t *ds = json_object_get(a, "datasets");
                CHECK(json_array_size(ds) == 1 &&
                          !strcmp(json_string_value(json_array_get(ds, 0)), "/data/fund.csv"),
                      "frontmatter: datasets");
                json_t *cs = json_object_get(a, "corrections");
                json_t *c0 = json_array_get(cs, 0), *c1 = json_array_get(cs, 1);
                CHECK(json_array_size(cs) == 2, "frontmatter: two corrections");
                CHECK_STR(jstr(c0, "date"), "2025-01-22T09:30:00+08:00",
                          "frontmatter: correction date");
                CHECK(jint(c0, "date_epoch") == 1737509400 && jint(c0, "date_offset") == 480,
                      "frontmatter: correction date_epoch and date_offset");
                CHECK_STR(jstr(c0, "note"), "更正数据", "frontmatter: correction note");
                CHECK_STR(jstr(c1, "date"), "2025-01-23T00:00:00+08:00",
                          "frontmatter: correction date-only normalised");
        }
        json_decref(a);

        /* The minimum, and the defaults it gets. */
        a = article("---\ntitle: T\ndate: 2025-01-20\n---\n", &m);
        CHECK(a != NULL, "frontmatter: minimal article");
        if (!a)
                printf("  messages were: %s\n", m);
        free(m);
        if (a) {
                CHECK_STR(jstr(a, "date"), "2025-01-20T00:00:00+08:00",
                          "frontmatter: date-only becomes midnight +08:00");
                CHECK(jint(a, "date_epoch") == 1737302400, "frontmatter: date-only epoch");
                CHECK(json_is_array(json_object_get(a, "topics")) &&
                          json_array_size(json_object_get(a, "topics")) == 0,
                      "frontmatter: topics default to []");
                CHECK(json_is_array(json_object_get(a, "tags")) &&
                          json_array_size(json_object_get(a, "tags")) == 0,
                      "frontmatter: tags default to []");
                CHECK(json_is_array(json_object_get(a, "datasets")),
                      "frontmatter: datasets default to []");
                CHECK(json_is_false(json_object_get(a, "draft")),
                      "frontmatter: draft defaults to false");
                CHECK(!json_object_get(a, "image") && !json_object_get(a, "updated") &&
                          !json_object_get(a, "slug"),
                      "frontmatter: absent optional keys stay absent");
        }
        json_decref(a);

        a = article("---\ntitle: T\ndate: 2025-01-20\nfoo: 1\n---\n", &m);
        CHECK(a == NULL, "frontmatter: unknown key refused");
        CHECK_MSG(m, "a.md:4:1: error: unknown key 'foo'", "frontmatter: unknown key message");
        free(m);

        a = article("---\ntitle: T\ndate: 2025-01-20\ntopics: [health, nope]\n---\n", &m);
        CHECK(a == NULL, "frontmatter: unknown topic refused");
        CHECK_MSG(m, "a.md:4:18: error: unknown topic 'nope'",
                  "frontmatter: unknown topic at the item's position");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20\ntopics:\n  - health\n  - other\n---\n", &m);
        CHECK(a == NULL, "frontmatter: unknown topic in a block list refused");
        CHECK_MSG(m, "a.md:6:5: error: unknown topic 'other'",
                  "frontmatter: unknown topic in a block list at the item's position");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20\ntopics: health\n---\n", &m);
        CHECK(a == NULL, "frontmatter: topics as a single string refused");
        CHECK_MSG(m, "a.md:4:9: error: topics must be a list", "frontmatter: topics type message");
        free(m);

        a = article("---\ntitle: T\ndate: 2025-01-20\nimage: /media/a.png\n---\n", &m);
        CHECK(a == NULL, "frontmatter: image without image_alt refused");
        CHECK_MSG(m, "a.md:4:8: error: image needs image_alt", "frontmatter: image_alt message");
        free(m);

        a = article("---\ntitle: T\n---\n", &m);
        CHECK(a == NULL, "frontmatter: missing date refused");
        CHECK_MSG(m, "missing required key 'date'", "frontmatter: missing date message");
        free(m);
        a = article("---\ndate: 2025-01-20\n---\n", &m);
        CHECK(a == NULL, "frontmatter: missing title refused");
        CHECK_MSG(m, "missing required key 'title'", "frontmatter: missing title message");
        free(m);
        a = article("---\ntitle: \"  \"\ndate: 2025-01-20\n---\n", &m);
        CHECK(a == NULL, "frontmatter: blank title refused");
        CHECK_MSG(m, "a.md:2:8: error: title is empty", "frontmatter: blank title message");
        free(m);

        a = article("---\ntitle: T\ndate: 2025-02-30\n---\n", &m);
        CHECK(a == NULL, "frontmatter: impossible date refused");
        CHECK_MSG(m, "a.md:3:7: error: date '2025-02-30': no such day in the calendar",
                  "frontmatter: date message with reason and position");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20T10:00:00\n---\n", &m);
        CHECK(a == NULL, "frontmatter: date without zone refused");
        CHECK_MSG(m, "needs a zone", "frontmatter: date without zone message");
        free(m);

        a = article("---\ntitle: T\ndate: 2025-01-20\nslug: Bad/Slug\n---\n", &m);
        CHECK(a == NULL, "frontmatter: bad slug refused");
        CHECK_MSG(m, "a.md:4:7: error: slug 'Bad/Slug'", "frontmatter: bad slug message");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20\ndraft: \"yes\"\n---\n", &m);
        CHECK(a == NULL, "frontmatter: quoted draft refused");
        CHECK_MSG(m, "a.md:4:8: error: draft must be true or false", "frontmatter: draft message");
        free(m);

        a = article("---\ntitle: T\ndate: 2025-01-20\ncorrections:\n  - date: 2025-01-21\n---\n",
                    &m);
        CHECK(a == NULL, "frontmatter: correction without note refused");
        CHECK_MSG(m, "a.md:5:5: error: a correction needs a date and a note",
                  "frontmatter: correction without note message");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20\ncorrections:\n"
                    "  - {date: 2025-01-21, note: n, by: x}\n---\n",
                    &m);
        CHECK(a == NULL, "frontmatter: correction with an unknown key refused");
        CHECK_MSG(m, "unknown key 'by'", "frontmatter: correction unknown key message");
        free(m);
        a = article("---\ntitle: T\ndate: 2025-01-20\ncorrections: fixed\n---\n", &m);
        CHECK(a == NULL, "frontmatter: corrections as a string refused");
        CHECK_MSG(m, "corrections must be a list", "frontmatter: corrections type message");
        free(m);

        /* Every problem is reported, not just the first. */
        a = article("---\nfoo: 1\ntitle: [x]\ndate: nope\ntopics: [zz]\nimage: a.png\n---\n", &m);
        CHECK(a == NULL, "frontmatter: many problems refused");
        CHECK(count_of(m, "error:") == 5, "frontmatter: every problem reported");
        if (count_of(m, "error:") != 5)
                printf("  messages were: %s\n", m);
        free(m);

        /* frontmatter_page */
        struct diag *d = diag_new();
        json_t *cfg = article_cfg();
        struct ynode *meta = yload("title: 关于\nslug: about\nupdated: 2025-01-20\n", 1, d);
        json_t *p = meta ? frontmatter_page(meta, "p.md", cfg, d) : NULL;
        CHECK(p && !strcmp(jstr(p, "title"), "关于") && !strcmp(jstr(p, "slug"), "about") &&
                  !strcmp(jstr(p, "updated"), "2025-01-20T00:00:00+08:00") &&
                  json_is_false(json_object_get(p, "draft")),
              "frontmatter: page");
        json_decref(p);
        ynode_free(meta);
        meta = yload("title: 关于\ndate: 2025-01-20\n", 1, d);
        p = meta ? frontmatter_page(meta, "p.md", cfg, d) : NULL;
        m = messages(d);
        CHECK(p == NULL, "frontmatter: page refuses an article key");
        CHECK_MSG(m, "p.md:3:1: error: unknown key 'date'",
                  "frontmatter: page unknown key message");
        free(m);
        json_decref(p);
        ynode_free(meta);
        json_decref(cfg);
        diag_free(d);
}

/* ---- config ---- */

/* Writes text to a new temporary file; returns its path (caller unlinks and frees). */
static char *temp_file(const char *text)
{
        char *path = xstrdup("/tmp/gongbao-test-config-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0) {
                printf("FAIL mkstemp\n");
                exit(1);
        }
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len) {
                printf("FAIL write %s\n", path);
                exit(1);
        }
        close(fd);
        return path;
}

/* Loads text as site.yaml; *msgs gets the flushed messages (caller frees). */
static json_t *load_config(const char *text, char **msgs)
{
        struct diag *d = diag_new();
        char *path = temp_file(text);
        json_t *cfg = config_load(path, d);
        *msgs = messages(d);
        unlink(path);
        free(path);
        diag_free(d);
        return cfg;
}

static void check_bad_config(const char *text, const char *want, const char *name)
{
        char *m;
        json_t *cfg = load_config(text, &m);
        char n[160];
        snprintf(n, sizeof n, "%s: refused", name);
        CHECK(cfg == NULL, n);
        snprintf(n, sizeof n, "%s: message", name);
        CHECK_MSG(m, want, n);
        json_decref(cfg);
        free(m);
}

static void test_config(void)
{
        static const char *const slugs[] = {"a", "medical-fund-2024", "a_b", "0", "x-", NULL};
        for (const char *const *s = slugs; *s; s++) {
                char n[96];
                snprintf(n, sizeof n, "config: is_slug(\"%s\")", *s);
                CHECK(config_is_slug(*s), n);
        }
        static const char *const not_slugs[] = {"",     "-a",  "_a",  "A",  "a/b", "..",
                                                "医保", "a b", "a.b", "aB", NULL};
        for (const char *const *s = not_slugs; *s; s++) {
                char n[96];
                snprintf(n, sizeof n, "config: not is_slug(\"%s\")", *s);
                CHECK(!config_is_slug(*s), n);
        }
        char longslug[102];
        memset(longslug, 'a', 101);
        longslug[101] = '\0';
        CHECK(!config_is_slug(longslug), "config: not is_slug(101 chars)");
        longslug[100] = '\0';
        CHECK(config_is_slug(longslug), "config: is_slug(100 chars)");

        char *m;
        json_t *cfg = load_config("title: 民生信息公开\nbase_url: https://example.org/\n", &m);
        CHECK(cfg != NULL, "config: minimal site.yaml loads");
        if (!cfg)
                printf("  messages were: %s\n", m);
        free(m);
        if (cfg) {
                CHECK_STR(jstr(cfg, "title"), "民生信息公开", "config: title");
                CHECK_STR(jstr(cfg, "base_url"), "https://example.org/", "config: base_url");
                CHECK_STR(jstr(cfg, "base_path"), "/", "config: base_path defaults to /");
                CHECK_STR(jstr(cfg, "language"), "zh-CN", "config: language defaults to zh-CN");
                CHECK_STR(jstr(cfg, "timezone"), "+08:00", "config: timezone defaults to +08:00");
                CHECK(jint(cfg, "tz_offset") == 480, "config: tz_offset defaults to 480");
                CHECK(jint(cfg, "per_page") == 10, "config: per_page defaults to 10");
                CHECK(jint(cfg, "feed_size") == 20, "config: feed_size defaults to 20");
                CHECK_STR(jstr(cfg, "description"), "", "config: description defaults to \"\"");
                CHECK(json_is_array(json_object_get(cfg, "topics")) &&
                          json_array_size(json_object_get(cfg, "topics")) == 0,
                      "config: topics default to []");
                CHECK(json_is_array(json_object_get(cfg, "navigation")) &&
                          json_array_size(json_object_get(cfg, "navigation")) == 0,
                      "config: navigation defaults to []");
        }
        json_decref(cfg);

        cfg = load_config("title: T\nbase_url: https://example.org/portal\n", &m);
        free(m);
        CHECK(cfg && !strcmp(jstr(cfg, "base_url"), "https://example.org/portal/"),
              "config: base_url gets a trailing slash");
        CHECK(cfg && !strcmp(jstr(cfg, "base_path"), "/portal/"),
              "config: base_path of a sub-folder site");
        json_decref(cfg);
        cfg = load_config("title: T\nbase_url: http://example.org\n", &m);
        free(m);
        CHECK(cfg && !strcmp(jstr(cfg, "base_url"), "http://example.org/") &&
                  !strcmp(jstr(cfg, "base_path"), "/"),
              "config: http base_url without a path");
        json_decref(cfg);
        cfg = load_config("title: T\nbase_url: https://example.org/a/b/\n", &m);
        free(m);
        CHECK(cfg && !strcmp(jstr(cfg, "base_path"), "/a/b/"), "config: deep base_path");
        json_decref(cfg);

        cfg = load_config("title: T\n"
                          "description: 描述\n"
                          "base_url: https://example.org/\n"
                          "language: en\n"
                          "timezone: \"-05:30\"\n"
                          "per_page: 25\n"
                          "feed_size: 1000\n"
                          "topics:\n"
                          "  health:\n"
                          "    name: 健康\n"
                          "    description: 医疗\n"
                          "  wages: {name: 欠薪}\n"
                          "navigation:\n"
                          "  - {title: 首页, url: /}\n"
                          "  - title: 关于\n"
                          "    url: /about/\n",
                          &m);
        CHECK(cfg != NULL, "config: full site.yaml loads");
        if (!cfg)
                printf("  messages were: %s\n", m);
        free(m);
        if (cfg) {
                CHECK_STR(jstr(cfg, "description"), "描述", "config: description");
                CHECK_STR(jstr(cfg, "language"), "en", "config: language");
                CHECK_STR(jstr(cfg, "timezone"), "-05:30", "config: timezone");
                CHECK(jint(cfg, "tz_offset") == -330, "config: tz_offset of -05:30");
                CHECK(jint(cfg, "per_page") == 25 && jint(cfg, "feed_size") == 1000,
                      "config: per_page and feed_size");
                json_t *t = json_object_get(cfg, "topics");
                CHECK(json_array_size(t) == 2 &&
                          !strcmp(jstr(json_array_get(t, 0), "slug"), "health") &&
                          !strcmp(jstr(json_array_get(t, 0), "name"), "健康") &&
                          !strcmp(jstr(json_array_get(t, 0), "description"), "医疗") &&
                          !strcmp(jstr(json_array_get(t, 1), "slug"), "wages") &&
                          !strcmp(jstr(json_array_get(t, 1), "description"), ""),
                      "config: topics in file order with descriptions");
                json_t *n = json_object_get(cfg, "navigation");
                CHECK(json_array_size(n) == 2 &&
                          !strcmp(jstr(json_array_get(n, 1), "title"), "关于") &&
                          !strcmp(jstr(json_array_get(n, 1), "url"), "/about/"),
                      "config: navigation as written");
        }
        json_decref(cfg);
        cfg = load_config("title: T\nbase_url: https://example.org/\ntimezone: Z\n", &m);
        free(m);
        CHECK(cfg && jint(cfg, "tz_offset") == 0, "config: timezone Z is offset 0");
        json_decref(cfg);

        check_bad_config("title: T\nbase_url: example.org\n", ":2:11: error: base_url must be",
                         "config: base_url example.org position");
        check_bad_config("title: T\nbase_url: ftp://x\n", "base_url must be",
                         "config: base_url ftp://x");
        check_bad_config("title: T\nbase_url: https://x/a b\n", "base_url must be",
                         "config: base_url with a space");
        check_bad_config("title: T\nbase_url: https://\n", "base_url must be",
                         "config: base_url without a host");
        check_bad_config("title: T\nbase_url: https://x/?q=1\n", "base_url must be",
                         "config: base_url with a query");
        check_bad_config("title: T\nbase_url: https://x/#f\n", "base_url must be",
                         "config: base_url with a fragment");
        check_bad_config("title: T\nbase_url: https://x/\nper_page: 0\n",
                         ":3:11: error: per_page must be a whole number from 1 to 1000",
                         "config: per_page 0");
        check_bad_config("title: T\nbase_url: https://x/\nfeed_size: many\n",
                         "feed_size must be a whole number", "config: feed_size not a number");
        check_bad_config("title: T\nbase_url: https://x/\ncolour: red\n",
                         ":3:1: error: unknown key 'colour'", "config: unknown key");
        check_bad_config("base_url: https://x/\n", "missing required key 'title'",
                         "config: missing title");
        check_bad_config("title: T\n", "missing required key 'base_url'",
                         "config: missing base_url");
        check_bad_config("title: T\nbase_url: https://x/\ntimezone: Asia/Shanghai\n",
                         ":3:11: error: timezone must be an offset",
                         "config: named timezone refused");
        check_bad_config("title: T\nbase_url: https://x/\ntopics:\n  Health: {name: H}\n",
                         ":4:3: error: topic slug 'Health'", "config: bad topic slug");
        check_bad_config("title: T\nbase_url: https://x/\ntopics:\n  health: {description: d}\n",
                         "topic 'health' has no name", "config: topic without a name");
        check_bad_config("title: T\nbase_url: https://x/\ntopics: [a, b]\n",
                         "topics must be a mapping", "config: topics as a list");
        check_bad_config("title: T\nbase_url: https://x/\nnavigation:\n  - {title: x}\n",
                         "a navigation entry needs a title and a url",
                         "config: navigation entry without url");
        check_bad_config("- a\n- b\n", "site.yaml must be a mapping", "config: a list");
        check_bad_config("title: T\nbase_url: https://x/\ntitle: U\n",
                         ":3:1: error: duplicate key 'title'", "config: duplicate key");
        {
                struct diag *d = diag_new();
                json_t *c = config_load("/nonexistent/gongbao/site.yaml", d);
                CHECK(c == NULL && diag_errors(d) > 0, "config: missing file refused");
                json_decref(c);
                diag_free(d);
        }
        /* Several problems are all reported. */
        cfg = load_config("base_url: ftp://x\nper_page: 0\nzz: 1\n", &m);
        CHECK(cfg == NULL && count_of(m, "error:") == 4, "config: every problem reported");
        if (count_of(m, "error:") != 4)
                printf("  messages were: %s\n", m);
        free(m);
        json_decref(cfg);
}

/* ---- output_path_ok ---- */

static void test_output_path(void)
{
        static const char *const ok[] = {"a",        "a/b/index.html", "tags/医保/index.html",
                                         "feed.xml", ".well-known/x",  "a..b/c",
                                         NULL};
        for (const char *const *p = ok; *p; p++) {
                char n[96];
                snprintf(n, sizeof n, "output_path_ok: \"%s\" accepted", *p);
                CHECK(output_path_ok(*p), n);
        }
        static const char *const bad[] = {"",     "/a",   "../a", "a/../b", "a/./b",
                                          "a//b", "a\\b", "a\nb", ".",      "..",
                                          "a/..", "a/.",  "./a",  "a\tb",   NULL};
        for (const char *const *p = bad; *p; p++) {
                char n[96], shown[48];
                size_t k = 0;
                for (const char *c = *p; *c && k + 4 < sizeof shown; c++)
                        k += (size_t)snprintf(shown + k, sizeof shown - k,
                                              (unsigned char)*c < 0x20 ? "\\x%02x" : "%c",
                                              (unsigned char)*c);
                shown[k] = '\0';
                snprintf(n, sizeof n, "output_path_ok: \"%s\" refused", shown);
                CHECK(!output_path_ok(*p), n);
        }
}

/* Writes text to path (the test's own files); aborts the test on failure. */
static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "wb");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                printf("FAIL cannot write %s\n", path);
                exit(1);
        }
}

/* content_body reads an article's body back from its file, and reports a file edited
 * since it was loaded instead of mixing two versions. */
static void test_content_body(void)
{
        char dir[] = "/tmp/gongbao-test-XXXXXX";
        if (!mkdtemp(dir)) {
                printf("FAIL mkdtemp\n");
                return;
        }
        char *articles = xasprintf("%s/articles", dir);
        char *path = xasprintf("%s/a.md", articles);
        CHECK(fsio_mkdirs(articles) == 0, "content_body: test folder");
        static const char front[] = "\xEF\xBB\xBF---\ntitle: \"标题\"\ndate: 2024-01-02\n"
                                    "topics: [rural-development]\nsource: \"报\"\n---\n";
        static const char body[] = "第一段。\n\n```chart\nx\n```\n";
        char *text = xasprintf("%s%s", front, body);
        write_file(path, text);
        struct diag *d = diag_new();
        json_t *cfg = config_load("../../content/site.yaml", d);
        json_t *content = cfg ? content_load(dir, cfg, d) : NULL;
        json_t *a = json_array_get(json_object_get(content, "articles"), 0);
        CHECK(a && !json_object_get(a, "markdown"), "content_body: the body is not kept");
        CHECK(json_is_true(json_object_get(a, "body_chart")), "content_body: chart noted");
        CHECK(json_integer_value(json_object_get(a, "body_line")) == 7, "content_body: line");
        struct buf back = {0};
        const char *md = NULL;
        size_t len = 0;
        CHECK(a && content_body(a, &back, &md, &len, d) == 0 && len == strlen(body) &&
                  !memcmp(md, body, len) && md[len] == '\0',
              "content_body: the body read back (after a BOM and the front matter)");
        CHECK(!diag_errors(d), "content_body: no errors");

        /* the same length, three bytes changed: only the digest can tell */
        char *edited = xasprintf("%s%s", front, body);
        memcpy(edited + strlen(front), "XYZ", 3);
        write_file(path, edited);
        CHECK(a && content_body(a, &back, &md, &len, d) < 0, "content_body: an edited body fails");
        char *want = xasprintf(
            "%s:7:1: error: the file changed while the site was being built: build again", path);
        char *m = messages(d);
        CHECK_MSG(m, want, "content_body: an edited body is reported at its first line");
        free(m);
        write_file(path, "---\n");
        CHECK(a && content_body(a, &back, &md, &len, d) < 0,
              "content_body: a file cut short fails");
        m = messages(d);
        CHECK_MSG(m, want, "content_body: a file cut short is reported");
        free(m);
        unlink(path);
        CHECK(a && content_body(a, &back, &md, &len, d) < 0, "content_body: a file removed fails");

        free(want);
        free(edited);
        buf_free(&back);
        json_decref(content);
        json_decref(cfg);
        diag_free(d);
        free(text);
        CHECK(fsio_remove_tree(dir) == 0, "content_body: test folder removed");
        free(path);
        free(articles);
}

/* The names in an article's list key (topics: slug, tags: name), for the brute force. */
static int shares(json_t *list, const char *field, json_t *other)
{
        size_t i;
        json_t *x;
        int n = 0;
        json_array_foreach(list, i, x)
        {
                const char *v = json_string_value(json_object_get(x, field));
                size_t j;
                json_t *y;
                json_array_foreach(other, j, y) n +=
                    v && !strcmp(v, json_string_value(json_object_get(y, field))
                                        ? json_string_value(json_object_get(y, field))
                                        : "");
        }
        return n;
}

/* site_build's related articles equal a brute force over every pair (2 points per
 * shared topic, 1 per shared tag, best first, newer first on a tie, at most 4), for
 * narticles articles with up to maxtags of ntags tags each: with few tags (one bit per
 * tag) and with more than 64 (each candidate's groups walked); with articles in more
 * groups than the pairs of groups look at (those articles read their groups) and with
 * so many groups per article that no pairs are kept; with so few tags that most scores
 * tie; and with a topic listed twice (counted twice). */
static void test_related(int narticles, int ntags, int maxtags, bool twice)
{
        char dir[] = "/tmp/gongbao-related-XXXXXX";
        if (!mkdtemp(dir)) {
                printf("FAIL mkdtemp\n");
                return;
        }
        struct diag *d = diag_new();
        json_t *cfg = config_load("../../content/site.yaml", d);
        json_t *topics = json_object_get(cfg, "topics");
        size_t ntopics = json_array_size(topics);
        char *articles = xasprintf("%s/articles", dir);
        CHECK(cfg && ntopics >= 2 && fsio_mkdirs(articles) == 0, "related: test content");
        unsigned seed = 12345u + (unsigned)(ntags * 100 + maxtags) + (twice ? 7u : 0u);
        for (int k = 0; k < narticles; k++) {
                struct buf f = {0};
                buf_printf(&f, "---\ntitle: \"文章%d\"\ndate: 2024-%02d-%02dT%02d:00:00+08:00\n", k,
                           1 + k % 12, 1 + k % 28, k % 24);
                seed = seed * 1103515245u + 12345u;
                size_t t1 = (seed >> 16) % ntopics,
                       t2 = (t1 + 1 + (seed >> 8) % (ntopics - 1)) % ntopics;
                buf_printf(&f, "topics: [%s",
                           json_string_value(json_object_get(json_array_get(topics, t1), "slug")));
                if (seed & 1)
                        buf_printf(
                            &f, ", %s",
                            json_string_value(json_object_get(json_array_get(topics, t2), "slug")));
                if (twice && (seed & 2))
                        buf_printf(
                            &f, ", %s",
                            json_string_value(json_object_get(json_array_get(topics, t1), "slug")));
                buf_puts(&f, "]\ntags: [");
                int ntag = 1 + (int)((seed >> 4) % (unsigned)maxtags),
                    first = (int)((seed >> 12) % (unsigned)ntags);
                for (int j = 0; j < ntag; j++)
                        buf_printf(&f, "%s标签%d", j ? ", " : "", (first + j * 7) % ntags);
                buf_puts(&f, "]\nsource: \"报\"\n---\n正文。\n");
                char *path = xasprintf("%s/a%04d.md", articles, k);
                write_file(path, buf_cstr(&f));
                free(path);
                buf_free(&f);
        }
        json_t *content = cfg ? content_load(dir, cfg, d) : NULL;
        json_t *model = content ? site_build(cfg, content, false, 4102444800, d) : NULL;
        json_t *all = json_object_get(model, "articles");
        CHECK(json_array_size(all) == (size_t)narticles, "related: model built");
        int wrong = 0;
        for (size_t i = 0; i < json_array_size(all); i++) {
                json_t *a = json_array_get(all, i);
                int best[4], score[4], nb = 0;
                for (size_t o = 0; o < json_array_size(all); o++) {
                        json_t *b = json_array_get(all, o);
                        int s =
                            2 * shares(json_object_get(a, "topics"), "slug",
                                       json_object_get(b, "topics")) +
                            shares(json_object_get(a, "tags"), "name", json_object_get(b, "tags"));
                        if (o == i || s == 0)
                                continue;
                        int at = nb;
                        while (at > 0 && s > score[at - 1])
                                at--;
                        if (at >= 4)
                                continue;
                        for (int m = nb < 4 ? nb : 3; m > at; m--) {
                                best[m] = best[m - 1];
                                score[m] = score[m - 1];
                        }
                        best[at] = (int)o;
                        score[at] = s;
                        nb += nb < 4;
                }
                json_t *rel = json_object_get(a, "related");
                bool same = json_array_size(rel) == (size_t)nb;
                for (int m = 0; same && m < nb; m++)
                        same = json_integer_value(json_array_get(rel, (size_t)m)) == best[m];
                wrong += !same;
        }
        char *name = xasprintf("related: %d articles, up to %d of %d tags%s, every article's "
                               "related list is the brute force's",
                               narticles, maxtags, ntags, twice ? ", topics twice" : "");
        CHECK(wrong == 0, name);
        if (wrong)
                printf("  %d articles differ\n", wrong);
        free(name);
        json_decref(model);
        json_decref(content);
        json_decref(cfg);
        diag_free(d);
        char *rm = xasprintf("rm -rf '%s'", dir);
        CHECK(system(rm) == 0, "related: cleaned up");
        free(rm);
        free(articles);
}

int main(void)
{
        test_related(300, 40, 4, false);
        test_related(300, 90, 4, false);
        test_related(300, 40, 12, false); /* some articles in more than 8 groups */
        test_related(300, 40, 20, false); /* too many pairs: none kept */
        test_related(300, 90, 4, true);
        test_related(300, 40, 4, true);
        test_related(1500, 8, 4, false); /* ties everywhere */
        test_buf();
        test_hex();
        test_escape();
        test_date();
        test_yaml();
        test_frontmatter_split();
        test_frontmatter_article();
        test_config();
        test_output_path();
        test_content_body();
        return check_exit();
}
