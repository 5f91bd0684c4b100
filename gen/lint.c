/* lint: the body is read line by line into blocks (paragraphs, headings, list items,
 * quotes, fenced blocks), each text block into characters that keep their file line and
 * column, without inline code, link targets and emphasis marks; the rules run over those. */
#include "lint.h"
#include "utf8.h"
#include "buf.h"
#include "cache.h"
#include "content.h"
#include "digest.h"
#include "numfmt.h"
#include "pool.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum rule { R_REPEAT, R_BROKEN, R_BALANCE, R_PUNCT, R_IMAGE, R_SOURCE, R_NUMBER, R_COUNT };

/* One article being linted. */
struct lint {
        const char *path;
        struct diag *d;
        bool strict;           /* report as errors */
        int count;             /* findings so far */
        int per_rule[R_COUNT]; /* findings per rule */
        struct buf *record;    /* NULL, or where each message reported is noted (the memo) */
};

static void report(struct diag *d, bool strict, const char *path, int line, int col,
                   const char *msg)
{
        if (strict)
                diag_error(d, path, line, col, "%s", msg);
        else
                diag_warn(d, path, line, col, "%s", msg);
}

/* Appends one finding to a memo record: "line col message" on one line, the message's
 * backslashes and line breaks escaped. */
static void memo_note(struct buf *rec, int line, int col, const char *msg)
{
        buf_printf(rec, "%d %d ", line, col);
        for (const char *p = msg; *p; p++) {
                if (*p == '\\')
                        buf_puts(rec, "\\\\");
                else if (*p == '\n')
                        buf_puts(rec, "\\n");
                else
                        buf_putc(rec, *p);
        }
        buf_putc(rec, '\n');
}

static void warn(struct lint *l, enum rule r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void warn(struct lint *l, enum rule r, int line, int col, const char *fmt, ...)
{
        l->count++;
        if (++l->per_rule[r] > LINT_MAX_PER_RULE + 1)
                return;
        struct buf b = {0};
        if (l->per_rule[r] == LINT_MAX_PER_RULE + 1)
                buf_puts(&b, "more warnings like the ones above in this file are not shown: fix "
                             "those and run again");
        else {
                va_list ap;
                va_start(ap, fmt);
                buf_vprintf(&b, fmt, ap);
                va_end(ap);
        }
        report(l->d, l->strict, l->path, line, col, buf_cstr(&b));
        if (l->record)
                memo_note(l->record, line, col, buf_cstr(&b));
        buf_free(&b);
}

/* ---------------------------------------------------------------------------------------
 * Characters */

static bool is_digit(int cp)
{
        return cp >= '0' && cp <= '9';
}

static bool is_latin(int cp)
{
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* One character of a text block and where it stands in the file. */
struct ch {
        int cp;
        int line, col;
};

/* A block of the body. */
enum bkind { B_PARA, B_HEAD, B_LIST, B_QUOTE, B_FENCE, B_OTHER };

struct block {
        enum bkind kind;
        size_t start, end; /* bytes of the body */
        int line;          /* file line of its first line */
        struct ch *ch;     /* its text (text blocks only) */
        size_t n;
        char *key;        /* a paragraph's text without spaces and line breaks (repeats) */
        size_t key_chars; /* its length in characters */
        unsigned marks;   /* bit p: ch holds a mark of pairs[p] */
        bool half;        /* ch holds one of the half-width marks check_punct looks for */
};

/* Leading spaces of the line at p (a tab counts 4). */
static int indent(const char *p, const char *e)
{
        int n = 0;
        for (; p < e && (*p == ' ' || *p == '\t'); p++)
                n += *p == '\t' ? 4 : 1;
        return n;
}

static const char *skip_ws(const char *p, const char *e)
{
        while (p < e && (*p == ' ' || *p == '\t'))
                p++;
        return p;
}

/* A fence opening at p: ``` or ~~~ (3 or more). Sets *c and *len. */
static bool fence_at(const char *p, const char *e, char *c, size_t *len)
{
        if (p >= e || (*p != '`' && *p != '~'))
                return false;
        size_t n = 0;
        while (p + n < e && p[n] == *p)
                n++;
        if (n < 3)
                return false;
        *c = *p;
        *len = n;
        return true;
}

static bool list_at(const char *p, const char *e)
{
        if (p < e && (*p == '-' || *p == '+' || *p == '*'))
                return p + 1 == e || p[1] == ' ' || p[1] == '\t';
        const char *q = p;
        while (q < e && q - p < 9 && *q >= '0' && *q <= '9')
                q++;
        return q > p && q < e && (*q == '.' || *q == ')') && (q + 1 == e || q[1] == ' ');
}

/* A line of nothing but c (three or more, spaces allowed): a rule or setext underline. */
static bool only(const char *p, const char *e, char c)
{
        int n = 0;
        for (; p < e; p++) {
                if (*p == c)
                        n++;
                else if (*p != ' ' && *p != '\t')
                        return false;
        }
        return n >= (c == '=' ? 1 : 3);
}

/* Splits md into blocks. Returns the array (caller frees with free_blocks). */
static struct block *split_blocks(const char *md, size_t len, int body_line, size_t *count)
{
        size_t n = 0, cap = 32;
        struct block *b = xcalloc(cap, sizeof *b);
        struct block *cur = NULL;
        bool in_fence = false;
        char fc = 0;
        size_t flen = 0;
        int line = body_line;
        for (const char *p = md, *end = md + len; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                const char *next = nl ? nl + 1 : end;
                const char *e2 = e > p && e[-1] == '\r' ? e - 1 : e;
                int ind = indent(p, e2);
                const char *t = skip_ws(p, e2);
                char c;
                size_t fl;
                enum bkind kind = B_PARA;
                bool start = true;
                if (in_fence) {
                        cur->end = (size_t)(next - md);
                        if (ind <= 3 && fence_at(t, e2, &c, &fl) && c == fc && fl >= flen &&
                            skip_ws(t + fl, e2) == e2) {
                                in_fence = false;
                                cur = NULL;
                        }
                        p = next;
                        continue;
                }
                if (t == e2) {
                        cur = NULL;
                        p = next;
                        continue;
                }
                if (ind <= 3 && fence_at(t, e2, &fc, &flen)) {
                        kind = B_FENCE;
                        in_fence = true;
                } else if (ind <= 3 && *t == '#') {
                        kind = B_HEAD;
                } else if (ind <= 3 && *t == '>') {
                        kind = B_QUOTE;
                        start = !cur || cur->kind != B_QUOTE;
                } else if (ind <= 3 && cur && cur->kind == B_PARA &&
                           (only(t, e2, '=') || only(t, e2, '-'))) {
                        cur->kind = B_HEAD; /* setext underline */
                        start = false;
                } else if (ind <= 3 && (only(t, e2, '-') || only(t, e2, '*') || only(t, e2, '_'))) {
                        kind = B_OTHER;
                } else if (ind <= 3 && list_at(t, e2)) {
                        kind = B_LIST;
                } else if (cur &&
                           (cur->kind == B_PARA || cur->kind == B_LIST || cur->kind == B_QUOTE)) {
                        start = false; /* a continuation line */
                } else if (ind >= 4 || *t == '<' || *t == '|') {
                        kind = B_OTHER;
                }
                if (start) {
                        if (n == cap)
                                b = xrealloc(b, (cap *= 2) * sizeof *b);
                        b[n] =
                            (struct block){.kind = kind, .start = (size_t)(p - md), .line = line};
                        cur = &b[n++];
                }
                cur->end = (size_t)(next - md);
                if (kind == B_HEAD || kind == B_OTHER)
                        cur = in_fence ? cur : NULL;
                p = next;
        }
        *count = n;
        return b;
}

static void free_blocks(struct block *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(b[i].ch);
                free(b[i].key);
        }
        free(b);
}

/* Bytes [from, to) of a block that are markup, not prose. */
struct span {
        size_t from, to;
};

/* The markup spans of one block, in order and apart. */
struct spans {
        struct span *v;
        size_t n, cap;
};

static void add_span(struct spans *m, size_t from, size_t to)
{
        if (m->n == m->cap)
                m->v = xrealloc(m->v, (m->cap = m->cap ? 2 * m->cap : 8) * sizeof *m->v);
        m->v[m->n++] = (struct span){from, to};
}

/* The bytes that can start markup: each is found with memchr, which steps over the
 * many bytes of Chinese text far faster than a test per byte. */
static const char markup_bytes[] = "\\`]<";

/* Finds the next byte of s[from..n) that can start markup (n when none). at[] remembers
 * where each of markup_bytes is next (SIZE_MAX: not looked for yet). */
static size_t next_markup(const char *s, size_t n, size_t from, size_t *at)
{
        size_t best = n;
        for (size_t k = 0; k < sizeof markup_bytes - 1; k++) {
                if (at[k] == SIZE_MAX || (at[k] < from && at[k] < n)) {
                        const char *p =
                            from < n ? memchr(s + from, markup_bytes[k], n - from) : NULL;
                        at[k] = p ? (size_t)(p - s) : n;
                }
                if (at[k] < best)
                        best = at[k];
        }
        return best;
}

/* Finds the bytes of s[0..n) that are not prose: inline code, link targets, autolinks
 * and HTML tags, backslashes of escapes; adds them to m in order. */
static void mask_markup(const char *s, size_t n, struct spans *m)
{
        size_t at[sizeof markup_bytes - 1];
        for (size_t k = 0; k < sizeof markup_bytes - 1; k++)
                at[k] = SIZE_MAX;
        for (size_t i = next_markup(s, n, 0, at); i < n; i = next_markup(s, n, i + 1, at)) {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] != '\n') {
                        add_span(m, i, i + 1);
                        i++;
                } else if (s[i] == '`') {
                        size_t k = 0;
                        while (i + k < n && s[i + k] == '`')
                                k++;
                        size_t j = i + k;
                        while (j < n) {
                                size_t c = 0;
                                while (j + c < n && s[j + c] == '`')
                                        c++;
                                if (c == k)
                                        break;
                                j += c ? c : 1;
                        }
                        if (j < n) {
                                add_span(m, i, j + k);
                                i = j + k - 1;
                        } else
                                i += k - 1;
                } else if (s[i] == ']' && i + 1 < n && s[i + 1] == '(') {
                        int depth = 0;
                        size_t j = i + 1;
                        for (; j < n; j++) {
                                depth += s[j] == '(';
                                depth -= s[j] == ')';
                                if (!depth)
                                        break;
                        }
                        add_span(m, i + 1, j < n ? j + 1 : n);
                        i = j;
                } else if (s[i] == '<' && i + 1 < n &&
                           (is_latin((unsigned char)s[i + 1]) || s[i + 1] == '/')) {
                        size_t j = i;
                        while (j < n && s[j] != '>' && s[j] != '\n')
                                j++;
                        if (j < n && s[j] == '>') {
                                add_span(m, i, j + 1);
                                i = j;
                        }
                }
        }
}

/* The bit of pairs[] (below) that cp is a mark of, or 0. */
static unsigned mark_bit(int cp)
{
        switch (cp) {
        case 0x201C:
        case 0x201D:
                return 1u << 0;
        case 0x2018:
        case 0x2019:
                return 1u << 1;
        case 0x300C:
        case 0x300D:
                return 1u << 2;
        case 0x300A:
        case 0x300B:
                return 1u << 3;
        case 0xFF08:
        case 0xFF09:
                return 1u << 4;
        default:
                return 0;
        }
}

static int half_index(int c);
static int encode_cp(char *s, int cp);

/* A paragraph's repeat key being written: the source bytes of its well-formed characters
 * are their UTF-8, so runs of them are copied whole when a character that is left out
 * (or a stray byte, written as the character it decoded to) ends them. */
struct key_writer {
        const char *src; /* the block's bytes */
        char *out;       /* the key (room for twice the block's bytes) */
        size_t len;      /* bytes of out written */
        size_t run;      /* start in src of the run not yet copied, or SIZE_MAX */
        size_t chars;    /* characters in the key */
};

/* Copies the pending run, which ends at src[at]. */
static inline void key_flush(struct key_writer *w, size_t at)
{
        if (w->run == SIZE_MAX)
                return;
        memcpy(w->out + w->len, w->src + w->run, at - w->run);
        w->len += at - w->run;
        w->run = SIZE_MAX;
}

/* Adds the character cp (k bytes at src[at]) unless it is a space or a line break. */
static inline void key_add(struct key_writer *w, size_t at, int k, int cp)
{
        if (cp == ' ' || cp == '\n' || cp == 0x3000) {
                key_flush(w, at);
                return;
        }
        w->chars++;
        if (k > 1 || cp < 0x80) {
                if (w->run == SIZE_MAX)
                        w->run = at;
                return;
        }
        key_flush(w, at);
        w->len += (size_t)encode_cp(w->out + w->len, cp);
}

/* Warns when the image at s[i] ("![") has no alt text. */
static void check_image(struct lint *l, const char *s, size_t n, size_t i, int line, int col)
{
        size_t j = i + 2;
        while (j < n && s[j] != ']' && s[j] != '\n')
                j++;
        if (j + 1 < n && s[j] == ']' && s[j + 1] == '(') {
                size_t a = i + 2;
                while (a < j && (s[a] == ' ' || s[a] == '\t'))
                        a++;
                if (a == j)
                        warn(l, R_IMAGE, line, col,
                             "image without alt text: describe what it shows between the "
                             "brackets, ![图中所示内容](…)");
        }
}

/* Reads a text block into characters with their places, leaving out markup (and, for a
 * paragraph, its repeat key); notes which marks the rules look for it holds; also checks
 * its images. The loop runs for every character of every article: what it updates lives
 * in locals until the end. */
static void read_chars(struct lint *l, const char *md, struct block *b)
{
        const char *s = md + b->start;
        size_t n = b->end - b->start;
        struct spans m = {0};
        mask_markup(s, n, &m);
        struct ch *ch = xmalloc((n + 1) * sizeof *ch);
        size_t nch = 0, r = 0; /* m.v[r]: the first span not wholly before i */
        unsigned marks = 0;
        bool half = false;
        char *key = b->kind == B_PARA ? xmalloc(2 * n + 1) : NULL; /* a stray byte takes two */
        struct key_writer w = {s, key, 0, SIZE_MAX, 0};
        int line = b->line, col = 1;
        for (size_t i = 0; i < n;) {
                int cp;
                int k = utf8_next(s + i, &cp);
                while (r < m.n && m.v[r].to <= i)
                        r++;
                bool masked = r < m.n && m.v[r].from <= i;
                if (cp == '!' && !masked && i + 1 < n && s[i + 1] == '[')
                        check_image(l, s, n, i, line, col);
                if (cp == '\n') {
                        if (key)
                                key_flush(&w, i);
                        if (nch && ch[nch - 1].cp != '\n')
                                ch[nch++] = (struct ch){'\n', line, col};
                        line++;
                        col = 1;
                        i += (size_t)k;
                        continue;
                }
                if (!masked && cp != '*' && cp != '_' && cp != '\r') {
                        ch[nch++] = (struct ch){cp, line, col};
                        /* the marks are U+2018-201D, U+300A-300D, U+FF08-FF09: one test
                         * sends the Chinese characters between on */
                        if (cp >= 0x2018 && (unsigned)(cp - 0x300E) >= 0xFF08 - 0x300E)
                                marks |= mark_bit(cp);
                        else if (cp < 0x80 && half_index(cp) >= 0)
                                half = true;
                        if (key)
                                key_add(&w, i, k, cp);
                } else if (key)
                        key_flush(&w, i);
                col++;
                i += (size_t)k;
        }
        while (nch && (ch[nch - 1].cp == '\n' || ch[nch - 1].cp == ' '))
                nch--;
        if (key) {
                key_flush(&w, n);
                key[w.len] = '\0';
        }
        b->ch = ch;
        b->n = nch;
        b->key = key;
        b->key_chars = w.chars;
        b->marks = marks;
        b->half = half;
        free(m.v);
}

/* The index of the first character after the block's own marker (#, >, -, 1.). */
static size_t text_start(const struct block *b)
{
        size_t i = 0;
        if (b->kind == B_HEAD)
                while (i < b->n && (b->ch[i].cp == '#' || b->ch[i].cp == ' '))
                        i++;
        else if (b->kind == B_QUOTE)
                while (i < b->n && (b->ch[i].cp == '>' || b->ch[i].cp == ' '))
                        i++;
        else if (b->kind == B_LIST) {
                while (i < b->n && (is_digit(b->ch[i].cp) || b->ch[i].cp == '-' ||
                                    b->ch[i].cp == '+' || b->ch[i].cp == '.' || b->ch[i].cp == ')'))
                        i++;
                while (i < b->n && b->ch[i].cp == ' ')
                        i++;
        }
        return i;
}

/* ---------------------------------------------------------------------------------------
 * Rules */

/* Writes cp as UTF-8 to s (room for 4 bytes); returns the bytes written. */
static int encode_cp(char *s, int cp)
{
        int n;
        if (cp < 0x80)
                s[0] = (char)cp, n = 1;
        else if (cp < 0x800)
                s[0] = (char)(0xC0 | (cp >> 6)), s[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
        else if (cp < 0x10000)
                s[0] = (char)(0xE0 | (cp >> 12)), s[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
                s[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
        else
                s[0] = (char)(0xF0 | (cp >> 18)), s[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
                s[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), s[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
        return n;
}

static void put_cp(struct buf *b, int cp)
{
        char s[4];
        buf_put(b, s, (size_t)encode_cp(s, cp));
}

/* The characters ch[from..to) as UTF-8 (a few around a place, for messages). */
static void excerpt(struct buf *out, const struct block *b, size_t from, size_t to)
{
        for (size_t i = from; i < to && i < b->n; i++)
                if (b->ch[i].cp != '\n')
                        put_cp(out, b->ch[i].cp);
}

/* The place of c in ",;:?!()", or -1. */
static int half_index(int c)
{
        switch (c) {
        case ',':
                return 0;
        case ';':
                return 1;
        case ':':
                return 2;
        case '?':
                return 3;
        case '!':
                return 4;
        case '(':
                return 5;
        case ')':
                return 6;
        default:
                return -1;
        }
}

/* Half-width , ; : ? ! ( ) between two Chinese characters. */
static void check_punct(struct lint *l, const struct block *b)
{
        static const char *const full[] = {"，", "；", "：", "？", "！", "（", "）"};
        if (!b->half)
                return; /* none of them at all (read_chars noted it) */
        for (size_t i = 1; i + 1 < b->n; i++) {
                int c = b->ch[i].cp;
                int h = half_index(c);
                if (h < 0)
                        continue;
                size_t next = i + 1;
                if (b->ch[next].cp == ' ' && next + 1 < b->n && c != '(')
                        next++;
                if (!utf8_is_han(b->ch[i - 1].cp) || !utf8_is_han(b->ch[next].cp))
                        continue;
                struct buf ex = {0}, fix = {0};
                excerpt(&ex, b, i - 1, next + 1);
                put_cp(&fix, b->ch[i - 1].cp);
                buf_puts(&fix, full[h]);
                put_cp(&fix, b->ch[next].cp);
                warn(l, R_PUNCT, b->ch[i].line, b->ch[i].col,
                     "half-width '%c' between Chinese characters (“%s”): use the full-width "
                     "“%s” (“%s”)",
                     c, buf_cstr(&ex), full[h], buf_cstr(&fix));
                buf_free(&ex);
                buf_free(&fix);
        }
}

/* Opening and closing marks that must pair up within a block. */
static const int pairs[][2] = {
    {0x201C, 0x201D}, {0x2018, 0x2019}, {0x300C, 0x300D}, {0x300A, 0x300B}, {0xFF08, 0xFF09}};
static const char *const pair_text[][2] = {
    {"“", "”"}, {"‘", "’"}, {"「", "」"}, {"《", "》"}, {"（", "）"}};

/* The block starts (after its marker) with c. */
static bool starts_with(const struct block *b, int c)
{
        size_t i = text_start(b);
        return i < b->n && b->ch[i].cp == c;
}

/* Unbalanced quotes and brackets in one block. next: the block after it, or NULL. */
static void check_balance(struct lint *l, const struct block *b, const struct block *next)
{
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
                int open = pairs[p][0], close = pairs[p][1];
                if (!(b->marks & 1u << p))
                        continue; /* neither mark (read_chars noted them): nothing to report */
                size_t depth = 0, first_open = 0, opens = 0;
                bool bad_close = false;
                for (size_t i = 0; i < b->n; i++) {
                        int c = b->ch[i].cp;
                        if (c == open) {
                                if (!depth)
                                        first_open = i;
                                depth++;
                                opens++;
                        } else if (c == close) {
                                if (close == 0x2019 && !opens && i > 0 && i + 1 < b->n &&
                                    is_latin(b->ch[i - 1].cp) && is_latin(b->ch[i + 1].cp))
                                        continue; /* an apostrophe: Xi’an, don’t */
                                if (!depth) {
                                        warn(l, R_BALANCE, b->ch[i].line, b->ch[i].col,
                                             "closing %s without an opening %s: add the opening "
                                             "mark where the quotation or title starts, or delete "
                                             "this one",
                                             pair_text[p][1], pair_text[p][0]);
                                        bad_close = true;
                                        break;
                                }
                                depth--;
                        }
                }
                if (bad_close || !depth)
                        continue;
                /* a quotation over several paragraphs opens each one and closes only the
                 * last: “ left open is fine when the next paragraph starts with “ */
                if ((open == 0x201C || open == 0x300C) && next && next->kind == b->kind &&
                    starts_with(next, open))
                        continue;
                warn(l, R_BALANCE, b->ch[first_open].line, b->ch[first_open].col,
                     "%s is not closed in this %s: add %s where it ends, or delete this one",
                     pair_text[p][0], b->kind == B_HEAD ? "heading" : "paragraph", pair_text[p][1]);
        }
}

/* The last character of a paragraph, skipping trailing spaces. */
static const struct ch *last_ch(const struct block *b)
{
        size_t i = b->n;
        while (i > 0 && (b->ch[i - 1].cp == ' ' || b->ch[i - 1].cp == '\n'))
                i--;
        return i ? &b->ch[i - 1] : NULL;
}

/* A paragraph that stops mid-sentence while the next paragraph goes on with it. */
static void check_broken(struct lint *l, const struct block *b, const struct block *next)
{
        if (b->kind != B_PARA || !next || next->kind != B_PARA || !next->n)
                return;
        const struct ch *c = last_ch(b);
        if (!c || !(utf8_is_han(c->cp) || c->cp == 0xFF0C || c->cp == 0x3001))
                return;
        int f = next->ch[0].cp;
        if (!utf8_is_han(f) && !is_digit(f))
                return;
        struct buf a = {0}, z = {0};
        size_t i = (size_t)(c - b->ch);
        excerpt(&a, b, i >= 5 ? i - 5 : 0, i + 1);
        excerpt(&z, next, 0, 6);
        warn(l, R_BROKEN, c->line, c->col,
             "the paragraph stops mid-sentence (“…%s”) and goes on at line %d (“%s…”): join the "
             "two paragraphs",
             buf_cstr(&a), next->line, buf_cstr(&z));
        buf_free(&a);
        buf_free(&z);
}

/* ---------------------------------------------------------------------------------------
 * Figures against the datasets the article cites */

/* A figure in the text: value, the decimals written, and its unit. */
struct figure {
        double value;
        int decimals;
        double scale;   /* 1e4 for 万, 1e8 for 亿, 1e12 for 万亿 */
        size_t at;      /* index of its first digit */
        size_t unit_at; /* index after the scale prefix */
};

/* Reads a number and its scale prefix at ch[i]. */
static bool read_figure(const struct block *b, size_t i, struct figure *f)
{
        if (i >= b->n || !is_digit(b->ch[i].cp))
                return false;
        if (i > 0 && (is_digit(b->ch[i - 1].cp) || b->ch[i - 1].cp == '.'))
                return false;
        char num[64];
        size_t n = 0;
        int decimals = -1;
        f->at = i;
        while (i < b->n && n + 1 < sizeof num) {
                int c = b->ch[i].cp;
                if (is_digit(c)) {
                        num[n++] = (char)c;
                        if (decimals >= 0)
                                decimals++;
                } else if (c == ',' && i + 1 < b->n && is_digit(b->ch[i + 1].cp) && decimals < 0) {
                        ;
                } else if (c == '.' && decimals < 0 && i + 1 < b->n && is_digit(b->ch[i + 1].cp)) {
                        num[n++] = '.';
                        decimals = 0;
                } else
                        break;
                i++;
        }
        num[n] = '\0';
        f->value = strtod(num, NULL);
        f->decimals = decimals < 0 ? 0 : decimals;
        f->scale = 1;
        static const struct {
                int a, b;
                double s;
        } scales[] = {{0x4E07, 0x4EBF, 1e12},
                      {0x5343, 0x4E07, 1e7},
                      {0x767E, 0x4E07, 1e6},
                      {0x4EBF, 0, 1e8},
                      {0x4E07, 0, 1e4}};
        for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
                if (i < b->n && b->ch[i].cp == scales[k].a &&
                    (!scales[k].b || (i + 1 < b->n && b->ch[i + 1].cp == scales[k].b))) {
                        f->scale = scales[k].s;
                        i += scales[k].b ? 2 : 1;
                        break;
                }
        }
        f->unit_at = i;
        return true;
}

/* Splits a unit such as "亿元" into its scale (1e8) and base ("元"). */
static double unit_scale(const char *unit, const char **base)
{
        static const struct {
                const char *p;
                double s;
        } pre[] = {{"万亿", 1e12}, {"千万", 1e7}, {"百万", 1e6}, {"亿", 1e8}, {"万", 1e4}};
        for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++)
                if (!strncmp(unit, pre[k].p, strlen(pre[k].p)) && unit[strlen(pre[k].p)]) {
                        *base = unit + strlen(pre[k].p);
                        return pre[k].s;
                }
        *base = unit;
        return 1;
}

/* True when the characters at ch[i] spell s. */
static bool spells(const struct block *b, size_t i, const char *s)
{
        while (*s) {
                int c;
                s += utf8_next(s, &c);
                if (i >= b->n || b->ch[i].cp != c)
                        return false;
                i++;
        }
        return true;
}

/* Decodes s as spells reads it into cps (room for strlen(s)); returns how many. */
static size_t decode(const char *s, int *cps)
{
        size_t m = 0;
        while (*s)
                s += utf8_next(s, &cps[m++]);
        return m;
}

/* spells, for text already decoded into cps[0..m). */
static bool spells_decoded(const struct block *b, size_t i, const int *cps, size_t m)
{
        if (m > b->n || i > b->n - m)
                return false;
        for (size_t t = 0; t < m; t++)
                if (b->ch[i + t].cp != cps[t])
                        return false;
        return true;
}

static size_t cp_len(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xC0) != 0x80;
        return n;
}

/* Words between a label and its figure that leave the figure exact (为, 达到); words that
 * make it approximate stop the check (约, 近, 超). */
static const char *const exact_words[] = {"达到", "共计", "合计", "为", "达", "是", "共", NULL};
static const char *const rough_words[] = {"超过", "约", "近", "超", "逾", "大约", NULL};

/* Whether connector (the words between label and figure) names field title: one ends
 * with the other. */
static bool names_field(const char *conn, const char *title)
{
        size_t a = strlen(conn), b = strlen(title);
        if (!a)
                return false;
        if (a <= b)
                return cp_len(conn) >= 2 && !strcmp(title + b - a, conn);
        return !strcmp(conn + a - b, title);
}

/* True when field is numeric and the text at ch[at] (after the scale) is its base unit. */
static bool unit_fits(json_t *field, const struct block *b, size_t at)
{
        const char *type = json_string_value(json_object_get(field, "type"));
        const char *unit = json_string_value(json_object_get(field, "unit"));
        const char *base;
        if (!type || (strcmp(type, "number") && strcmp(type, "integer")) || !unit)
                return false;
        unit_scale(unit, &base);
        return *base && spells(b, at, base);
}

/* Checks the figures next to each row label of one table. */
static void check_table(struct lint *l, const struct block *b, const char *dname, json_t *table)
{
        json_t *fields = json_object_get(table, "fields");
        size_t label_col = (size_t)-1;
        for (size_t f = 0; f < json_array_size(fields); f++) {
                const char *type =
                    json_string_value(json_object_get(json_array_get(fields, f), "type"));
                if (type && !strcmp(type, "string") && label_col == (size_t)-1)
                        label_col = f;
        }
        if (label_col == (size_t)-1)
                return;
        size_t r;
        json_t *row;
        json_array_foreach(json_object_get(table, "rows"), r, row)
        {
                const char *label = json_string_value(json_array_get(row, label_col));
                if (!label || cp_len(label) < 2)
                        continue;
                size_t llen = cp_len(label);
                /* the label decoded once, not at every place of the block */
                int own[64],
                    *cps = strlen(label) <= 64 ? own : xmalloc(strlen(label) * sizeof *cps);
                size_t m = decode(label, cps);
                for (size_t i = 0; i + llen < b->n; i++) {
                        if ((m && b->ch[i].cp != cps[0]) || !spells_decoded(b, i, cps, m))
                                continue;
                        /* the words up to the first digit, within the clause */
                        struct buf conn = {0};
                        size_t j = i + llen;
                        while (j < b->n && utf8_is_han(b->ch[j].cp) && j - i - llen < 12)
                                put_cp(&conn, b->ch[j++].cp);
                        buf_puts(&conn, "");
                        struct figure fig;
                        bool rough = false;
                        for (const char *const *w = rough_words; *w; w++) {
                                size_t wl = strlen(*w);
                                rough |= conn.len >= wl && !strcmp(conn.data + conn.len - wl, *w);
                        }
                        for (const char *const *w = exact_words; *w; w++) {
                                size_t wl = strlen(*w);
                                if (conn.len >= wl && !strcmp(conn.data + conn.len - wl, *w)) {
                                        buf_truncate(&conn, conn.len - wl);
                                        break;
                                }
                        }
                        if (rough || !read_figure(b, j, &fig)) {
                                buf_free(&conn);
                                continue;
                        }
                        /* an approximate figure (100余, 500多) is not checked */
                        bool approx = fig.unit_at < b->n && (b->ch[fig.unit_at].cp == 0x4F59 ||
                                                             b->ch[fig.unit_at].cp == 0x591A);
                        /* with no words between label and figure, the unit must single
                         * out the field */
                        int same_unit = 0, candidates = 0, agree = 0;
                        for (size_t f = 0; f < json_array_size(fields); f++)
                                same_unit += unit_fits(json_array_get(fields, f), b, fig.unit_at);
                        json_t *field, *want = NULL;
                        const char *want_title = NULL, *want_unit = NULL;
                        size_t f;
                        json_array_foreach(fields, f, field)
                        {
                                const char *type =
                                    json_string_value(json_object_get(field, "type"));
                                const char *title =
                                    json_string_value(json_object_get(field, "title"));
                                const char *unit =
                                    json_string_value(json_object_get(field, "unit"));
                                json_t *cell = json_array_get(row, f);
                                if (!type || (strcmp(type, "number") && strcmp(type, "integer")) ||
                                    !unit || !title || !json_is_number(cell))
                                        continue;
                                if (!(conn.len ? names_field(conn.data, title) : same_unit == 1) ||
                                    !unit_fits(field, b, fig.unit_at))
                                        continue;
                                const char *base;
                                double fscale = unit_scale(unit, &base);
                                candidates++;
                                double text = fig.value * fig.scale / fscale;
                                double tol = 0.5 * pow(10, -fig.decimals) * fig.scale / fscale;
                                double v = json_number_value(cell);
                                if (fabs(text - v) <= tol * (1 + 1e-9) + 1e-9 * fabs(v))
                                        agree++;
                                else if (!want) {
                                        want = cell;
                                        want_title = title;
                                        want_unit = unit;
                                }
                        }
                        if (candidates && !agree && !approx) {
                                struct buf said = {0}, is = {0};
                                size_t end = fig.unit_at;
                                while (end < b->n &&
                                       (utf8_is_han(b->ch[end].cp) || b->ch[end].cp == '%') &&
                                       end - fig.unit_at < 3)
                                        end++;
                                excerpt(&said, b, fig.at, end);
                                numfmt_with_unit(&is, json_number_value(want), want_unit);
                                warn(l, R_NUMBER, b->ch[fig.at].line, b->ch[fig.at].col,
                                     "“%s” for %s (%s) differs from dataset %s, which has %s: "
                                     "correct the text or the dataset",
                                     buf_cstr(&said), label, want_title, dname, buf_cstr(&is));
                                buf_free(&said);
                                buf_free(&is);
                        }
                        buf_free(&conn);
                }
                if (cps != own)
                        free(cps);
        }
}

/* The datasets the article names, checked against each text block. */
static void check_numbers(struct lint *l, const struct block *b, json_t *article, json_t *datasets)
{
        size_t i, k, r;
        json_t *name, *ds, *res;
        json_array_foreach(json_object_get(article, "datasets"), i, name)
        {
                json_array_foreach(datasets, k, ds)
                {
                        if (!json_equal(json_object_get(ds, "name"), name))
                                continue;
                        json_array_foreach(json_object_get(ds, "resources"), r, res) check_table(
                            l, b, json_string_value(name), json_object_get(res, "table"));
                }
        }
}

/* ---------------------------------------------------------------------------------------
 * Articles */

/* The paragraphs of one article read so far, by repeat key: an open-addressing table
 * whose keys are the blocks' own, so that each is hashed once and never copied. */
struct seen {
        struct seen_slot {
                uint64_t hash;
                const char *key; /* NULL: empty slot */
                int line;
        } * v;
        size_t cap, n; /* cap: a power of two */
};

static uint64_t key_hash(const char *s, size_t n)
{
        uint64_t h = 0x9E3779B97F4A7C15u ^ n;
        for (; n >= 8; s += 8, n -= 8) {
                uint64_t w;
                memcpy(&w, s, 8);
                h = (h ^ w) * 0xFF51AFD7ED558CCDu;
                h ^= h >> 29;
        }
        for (; n; s++, n--)
                h = (h ^ (unsigned char)*s) * 0x100000001B3u;
        return h ^ h >> 32;
}

static void seen_grow(struct seen *t)
{
        struct seen old = *t;
        t->cap = old.cap ? 2 * old.cap : 64;
        t->v = xcalloc(t->cap, sizeof *t->v);
        for (size_t i = 0; i < old.cap; i++) {
                if (!old.v[i].key)
                        continue;
                size_t j = old.v[i].hash & (t->cap - 1);
                while (t->v[j].key)
                        j = (j + 1) & (t->cap - 1);
                t->v[j] = old.v[i];
        }
        free(old.v);
}

/* The line of the first paragraph with key; when there was none, records line for it
 * and returns 0. */
static int seen_first(struct seen *t, const char *key, int line)
{
        if (2 * (t->n + 1) > t->cap)
                seen_grow(t);
        size_t len = strlen(key);
        uint64_t h = key_hash(key, len);
        size_t j = h & (t->cap - 1);
        for (; t->v[j].key; j = (j + 1) & (t->cap - 1))
                if (t->v[j].hash == h && !strcmp(t->v[j].key, key))
                        return t->v[j].line;
        t->v[j] = (struct seen_slot){h, key, line};
        t->n++;
        return 0;
}

/* Lints one article; with record, notes what it reports there (and sets *failed when
 * the body could not be read back: then the findings are not to be remembered). */
static int lint_one(json_t *article, json_t *datasets, bool strict, struct buf *record,
                    bool *failed, struct diag *d)
{
        struct lint l = {
            json_string_value(json_object_get(article, "path")), d, strict, 0, {0}, record};
        struct buf text = {0};
        const char *md = NULL;
        size_t len = 0;
        if ((json_object_get(article, "markdown") || json_object_get(article, "body_sha256")) &&
            content_body(article, &text, &md, &len, d) < 0) {
                md = NULL;
                if (failed)
                        *failed = true;
        }
        int body_line = (int)json_integer_value(json_object_get(article, "body_line"));
        const char *source = json_string_value(json_object_get(article, "source"));
        if (!source || !source[strspn(source, " \t")])
                warn(&l, R_SOURCE, 1, 1,
                     "the article has no source: add source: \"…\" to the front matter (the paper, "
                     "agency or office the facts come from)");
        if (!md) {
                buf_free(&text);
                return l.count;
        }
        size_t n;
        struct block *b = split_blocks(md, len, body_line ? body_line : 1, &n);
        for (size_t i = 0; i < n; i++)
                if (b[i].kind != B_FENCE && b[i].kind != B_OTHER)
                        read_chars(&l, md, &b[i]);
        struct seen seen = {0};
        for (size_t i = 0; i < n; i++) {
                if (!b[i].ch)
                        continue;
                const struct block *next = NULL;
                for (size_t j = i + 1; j < n && !next; j++)
                        next = &b[j];
                if (b[i].kind == B_PARA) {
                        int first = seen_first(&seen, b[i].key, b[i].line);
                        if (b[i].key_chars >= 10 && first)
                                warn(&l, R_REPEAT, b[i].line, 1,
                                     "this paragraph repeats the one at line %d: delete one copy",
                                     first);
                }
                check_broken(&l, &b[i], next && next->ch ? next : NULL);
                check_balance(&l, &b[i], next && next->ch ? next : NULL);
                check_punct(&l, &b[i]);
                if (datasets)
                        check_numbers(&l, &b[i], article, datasets);
        }
        free(seen.v);
        free_blocks(b, n);
        buf_free(&text);
        return l.count;
}

int lint_article(json_t *article, json_t *datasets, struct diag *d)
{
        return lint_one(article, datasets, false, NULL, NULL, d);
}

/* ---------------------------------------------------------------------------------------
 * The memo: an article's findings depend only on its path, body, first body line, source
 * and the datasets it names, so a rebuild replays what the last build found for the
 * articles whose inputs did not change instead of reading and linting them again. One
 * memo in the cache ("lint", sealed: see cache_memo_get): per article "<key hex> <count>
 * <lines>" and that many findings ("line col message"). Best effort: a memo that cannot
 * be read is empty. */

#define MEMO_MAGIC "gongbao-lint 2"

struct memo_entry {
        unsigned char key[32];
        int count;
        const char *findings; /* into the memo file's text, n lines */
        size_t len;
};

struct lint_memo {
        struct cache *cache;
        struct buf file;     /* the memo as read */
        const char *records; /* in it */
        size_t len;
        struct memo_entry *v; /* sorted by key */
        size_t n;
        json_t *dataset_digests; /* name -> hex digest of the dataset */
};

static int cmp_memo(const void *a, const void *b)
{
        return memcmp(((const struct memo_entry *)a)->key, ((const struct memo_entry *)b)->key, 32);
}

/* Reads the number at p (before end) into *out and returns where it ends, or NULL when
 * there is none. strtol, not sscanf: glibc's sscanf measures the whole rest of the string
 * first, which made reading a memo of 100,000 records in place quadratic (5 s). */
static const char *int_at(const char *p, const char *end, int *out)
{
        char *e;
        if (p >= end || !(*p == '-' || (*p >= '0' && *p <= '9')))
                return NULL;
        long v = strtol(p, &e, 10);
        if (e == p || e > end || v < INT_MIN || v > INT_MAX)
                return NULL;
        *out = (int)v;
        return e;
}

/* Reads "<a> <b>" at p (below end) followed by c into *a and *b; returns where it ends,
 * or NULL. */
static const char *pair_at(const char *p, const char *end, int *a, int *b, char c)
{
        p = int_at(p, end, a);
        if (!p || p >= end || *p++ != ' ' || !(p = int_at(p, end, b)) || p >= end || *p != c)
                return NULL;
        return p + 1;
}

/* Reads the memo's records (len bytes at p); stops at the first damaged one. */
static void memo_parse(struct lint_memo *m, const char *p, size_t len)
{
        const char *end = p + len;
        size_t cap = 0;
        while (p < end) {
                struct memo_entry e;
                int count, lines;
                const char *q;
                if (end - p < 66 || digest_unhex(p, e.key, 32) < 0 || p[64] != ' ' ||
                    !(q = pair_at(p + 65, end, &count, &lines, '\n')) || count < 0 || lines < 0)
                        break;
                p = q;
                e.count = count;
                e.findings = p;
                for (int i = 0; i < lines && p; i++) {
                        p = memchr(p, '\n', (size_t)(end - p));
                        p = p ? p + 1 : NULL;
                }
                if (!p)
                        break;
                e.len = (size_t)(p - e.findings);
                if (m->n == cap) {
                        cap = cap ? 2 * cap : 1024;
                        m->v = xrealloc(m->v, cap * sizeof *m->v);
                }
                m->v[m->n++] = e;
        }
        qsort(m->v, m->n, sizeof *m->v, cmp_memo);
}

static const char *str_of(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? s : "";
}

/* The key of an article's findings. Returns false when the article has no body digest
 * (one built by hand), which is then linted as always. */
static bool memo_key(const struct lint_memo *m, json_t *a, unsigned char key[32])
{
        const char *sha = json_string_value(json_object_get(a, "body_sha256"));
        if (!sha)
                return false;
        struct buf b = {0};
        unsigned char salt[32];
        cache_salt(m->cache, salt);
        buf_put(&b, salt, sizeof salt);
        json_t *src = json_object_get(a, "source");
        buf_printf(&b, "lint%c%s%c%s%c%lld%c%s%c", 0, str_of(a, "path"), 0, sha, 0,
                   (long long)json_integer_value(json_object_get(a, "body_line")), 0,
                   json_is_string(src) ? json_string_value(src) : "\001none", 0);
        size_t i;
        json_t *name;
        json_array_foreach(json_object_get(a, "datasets"), i, name)
        {
                const char *nm = json_string_value(name) ? json_string_value(name) : "";
                json_t *dg = json_object_get(m->dataset_digests, nm);
                buf_printf(&b, "%s=%s%c", nm, dg ? json_string_value(dg) : "", 0);
        }
        digest_sha256(key, b.data, b.len);
        buf_free(&b);
        return true;
}

/* Replays findings (lines "line col message") as lint_one reported them. */
static void memo_replay(const struct memo_entry *e, const char *path, bool strict, struct diag *d)
{
        const char *p = e->findings, *end = e->findings + e->len;
        struct buf msg = {0};
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                int line = 0, col = 0;
                const char *text = nl ? pair_at(p, nl, &line, &col, ' ') : NULL;
                if (!text)
                        break;
                buf_reset(&msg);
                for (const char *q = text; q < nl; q++) {
                        if (*q == '\\' && q + 1 < nl) {
                                q++;
                                buf_putc(&msg, *q == 'n' ? '\n' : *q);
                        } else {
                                buf_putc(&msg, *q);
                        }
                }
                report(d, strict, path, line, col, buf_cstr(&msg));
                p = nl + 1;
        }
        buf_free(&msg);
}

/* The articles being linted on the pool; counts[i] is article i's number of findings,
 * records[i] (with a memo) what it found as the memo keeps it, or NULL when it is not to
 * be kept. */
struct lint_job {
        json_t *articles, *datasets;
        bool drafts, strict;
        int *counts;
        struct lint_memo *memo;
        struct buf *records;
        struct diag *d;
};

static int lint_job_one(void *arg, size_t i)
{
        struct lint_job *j = arg;
        json_t *a = json_array_get(j->articles, i);
        if (!j->drafts && json_is_true(json_object_get(a, "draft")))
                return 0;
        unsigned char key[32];
        if (!j->memo || !memo_key(j->memo, a, key)) {
                j->counts[i] = lint_one(a, j->datasets, j->strict, NULL, NULL, j->d);
                return 0;
        }
        struct memo_entry probe, *hit;
        memcpy(probe.key, key, 32);
        hit = j->memo->n ? bsearch(&probe, j->memo->v, j->memo->n, sizeof *j->memo->v, cmp_memo)
                         : NULL;
        struct buf findings = {0};
        int count;
        if (hit) {
                memo_replay(hit, str_of(a, "path"), j->strict, j->d);
                count = hit->count;
                buf_put(&findings, hit->findings, hit->len);
        } else {
                bool failed = false;
                count = lint_one(a, j->datasets, j->strict, &findings, &failed, j->d);
                if (failed) {
                        buf_free(&findings);
                        j->counts[i] = count;
                        return 0;
                }
        }
        j->counts[i] = count;
        struct buf *rec = &j->records[i];
        char hex[65];
        digest_hex(hex, key, 32);
        size_t lines = 0;
        for (size_t k = 0; k < findings.len; k++)
                lines += findings.data[k] == '\n';
        buf_printf(rec, "%s %d %zu\n", hex, count, lines);
        buf_put(rec, findings.data, findings.len);
        buf_free(&findings);
        return 0;
}

/* name -> digest of every dataset, for the keys of articles that cite one. */
static json_t *dataset_digests(json_t *datasets)
{
        json_t *out = json_object(), *ds;
        size_t i;
        json_array_foreach(datasets, i, ds)
        {
                char *all = json_dumps(ds, JSON_COMPACT | JSON_SORT_KEYS);
                struct buf hex = {0};
                if (all)
                        digest_sha256_hex(&hex, all, strlen(all));
                free(all);
                if (json_string_value(json_object_get(ds, "name")))
                        json_object_set_new(out, json_string_value(json_object_get(ds, "name")),
                                            json_string(buf_cstr(&hex)));
                buf_free(&hex);
        }
        return out;
}

/* True when some article cites a dataset: only then are the datasets digested. */
static bool any_cites(json_t *articles)
{
        size_t i;
        json_t *a;
        json_array_foreach(articles, i,
                           a) if (json_array_size(json_object_get(a, "datasets"))) return true;
        return false;
}

static struct lint_memo *memo_open(struct cache *c, json_t *datasets, json_t *articles)
{
        if (!c)
                return NULL;
        struct lint_memo *m = xcalloc(1, sizeof *m);
        m->cache = c;
        const char *records;
        size_t len;
        if (cache_memo_get(c, "lint", MEMO_MAGIC, &m->file, &records, &len) == 0) {
                memo_parse(m, records, len);
                m->records = records;
                m->len = len;
        }
        m->dataset_digests = any_cites(articles) ? dataset_digests(datasets) : json_object();
        return m;
}

/* Writes this build's records as the memo, when they differ from the one read. */
static void memo_save(struct lint_memo *m, struct buf *records, size_t n)
{
        struct buf all = {0};
        for (size_t i = 0; i < n; i++)
                buf_put(&all, records[i].data, records[i].len);
        if (all.len != m->len || (all.len && memcmp(all.data, m->records, all.len)))
                cache_memo_put(m->cache, "lint", MEMO_MAGIC, all.data, all.len);
        buf_free(&all);
}

static void memo_free(struct lint_memo *m)
{
        if (!m)
                return;
        buf_free(&m->file);
        free(m->v);
        json_decref(m->dataset_digests);
        free(m);
}

int lint_content_cached(json_t *content, bool drafts, bool strict, int jobs, struct cache *cache,
                        struct diag *d)
{
        json_t *articles = json_object_get(content, "articles");
        size_t n = json_array_size(articles);
        json_t *datasets = json_object_get(content, "datasets");
        struct lint_job j = {articles,
                             datasets,
                             drafts,
                             strict,
                             xcalloc(n ? n : 1, sizeof(int)),
                             memo_open(cache, datasets, articles),
                             NULL,
                             d};
        if (j.memo)
                j.records = xcalloc(n ? n : 1, sizeof *j.records);
        int ran = pool_run(jobs, n, lint_job_one, &j);
        (void)ran; /* lint_job_one never fails */
        int total = 0;
        for (size_t i = 0; i < n; i++)
                total += j.counts[i];
        if (j.memo) {
                memo_save(j.memo, j.records, n);
                for (size_t i = 0; i < n; i++)
                        buf_free(&j.records[i]);
                free(j.records);
        }
        memo_free(j.memo);
        free(j.counts);
        return total;
}

int lint_content_jobs(json_t *content, bool drafts, bool strict, int jobs, struct diag *d)
{
        return lint_content_cached(content, drafts, strict, jobs, NULL, d);
}

int lint_content(json_t *content, bool drafts, bool strict, struct diag *d)
{
        return lint_content_jobs(content, drafts, strict, pool_default_jobs(), d);
}
