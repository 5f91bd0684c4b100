/* lint: the body is read line by line into blocks (paragraphs, headings, list items,
 * quotes, fenced blocks), each text block into characters that keep their file line and
 * column, without inline code, link targets and emphasis marks; the rules run over those. */
#include "lint.h"
#include "utf8.h"
#include "buf.h"
#include "numfmt.h"

#include <math.h>
#include <stdarg.h>
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
};

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
        if (l->strict)
                diag_error(l->d, l->path, line, col, "%s", buf_cstr(&b));
        else
                diag_warn(l->d, l->path, line, col, "%s", buf_cstr(&b));
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
                        b[n] = (struct block){kind, (size_t)(p - md), 0, line, NULL, 0};
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
        for (size_t i = 0; i < n; i++)
                free(b[i].ch);
        free(b);
}

/* Marks the bytes of s[0..n) that are not prose: inline code, link targets, autolinks
 * and HTML tags, backslashes of escapes. */
static void mask_markup(const char *s, size_t n, bool *mask)
{
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] != '\n') {
                        mask[i++] = true;
                } else if (s[i] == '`') {
                        size_t k = 0;
                        while (i + k < n && s[i + k] == '`')
                                k++;
                        size_t j = i + k;
                        while (j < n) {
                                size_t m = 0;
                                while (j + m < n && s[j + m] == '`')
                                        m++;
                                if (m == k)
                                        break;
                                j += m ? m : 1;
                        }
                        if (j < n) {
                                for (size_t x = i; x < j + k; x++)
                                        mask[x] = true;
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
                        for (size_t x = i + 1; x <= j && x < n; x++)
                                mask[x] = true;
                        i = j;
                } else if (s[i] == '<' && i + 1 < n &&
                           (is_latin((unsigned char)s[i + 1]) || s[i + 1] == '/')) {
                        size_t j = i;
                        while (j < n && s[j] != '>' && s[j] != '\n')
                                j++;
                        if (j < n && s[j] == '>') {
                                for (size_t x = i; x <= j; x++)
                                        mask[x] = true;
                                i = j;
                        }
                }
        }
}

/* Reads a text block into characters with their places, leaving out markup; also
 * checks its images. */
static void read_chars(struct lint *l, const char *md, struct block *b)
{
        const char *s = md + b->start;
        size_t n = b->end - b->start;
        bool *mask = xcalloc(n + 1, 1);
        mask_markup(s, n, mask);
        b->ch = xmalloc((n + 1) * sizeof *b->ch);
        b->n = 0;
        int line = b->line, col = 1;
        for (size_t i = 0; i < n;) {
                int cp;
                int k = utf8_next(s + i, &cp);
                if (cp == '!' && !mask[i] && i + 1 < n && s[i + 1] == '[') {
                        size_t j = i + 2;
                        while (j < n && s[j] != ']' && s[j] != '\n')
                                j++;
                        if (j + 1 < n && s[j] == ']' && s[j + 1] == '(') {
                                size_t a = i + 2;
                                while (a < j && (s[a] == ' ' || s[a] == '\t'))
                                        a++;
                                if (a == j)
                                        warn(l, R_IMAGE, line, col,
                                             "image without alt text: describe what it shows "
                                             "between the brackets, ![图中所示内容](…)");
                        }
                }
                if (cp == '\n') {
                        if (b->n && b->ch[b->n - 1].cp != '\n')
                                b->ch[b->n++] = (struct ch){'\n', line, col};
                        line++;
                        col = 1;
                        i += (size_t)k;
                        continue;
                }
                if (!mask[i] && cp != '*' && cp != '_' && cp != '\r')
                        b->ch[b->n++] = (struct ch){cp, line, col};
                col++;
                i += (size_t)k;
        }
        while (b->n && (b->ch[b->n - 1].cp == '\n' || b->ch[b->n - 1].cp == ' '))
                b->n--;
        free(mask);
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

static void put_cp(struct buf *b, int cp)
{
        char s[4];
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
        buf_put(b, s, (size_t)n);
}

/* The characters ch[from..to) as UTF-8 (a few around a place, for messages). */
static void excerpt(struct buf *out, const struct block *b, size_t from, size_t to)
{
        for (size_t i = from; i < to && i < b->n; i++)
                if (b->ch[i].cp != '\n')
                        put_cp(out, b->ch[i].cp);
}

/* Half-width , ; : ? ! ( ) between two Chinese characters. */
static void check_punct(struct lint *l, const struct block *b)
{
        static const char half[] = ",;:?!()";
        static const char *const full[] = {"，", "；", "：", "？", "！", "（", "）"};
        for (size_t i = 1; i + 1 < b->n; i++) {
                int c = b->ch[i].cp;
                const char *h = c < 0x80 && c ? strchr(half, c) : NULL;
                if (!h)
                        continue;
                size_t next = i + 1;
                if (b->ch[next].cp == ' ' && next + 1 < b->n && c != '(')
                        next++;
                if (!utf8_is_han(b->ch[i - 1].cp) || !utf8_is_han(b->ch[next].cp))
                        continue;
                struct buf ex = {0}, fix = {0};
                excerpt(&ex, b, i - 1, next + 1);
                put_cp(&fix, b->ch[i - 1].cp);
                buf_puts(&fix, full[h - half]);
                put_cp(&fix, b->ch[next].cp);
                warn(l, R_PUNCT, b->ch[i].line, b->ch[i].col,
                     "half-width '%c' between Chinese characters (“%s”): use the full-width "
                     "“%s” (“%s”)",
                     c, buf_cstr(&ex), full[h - half], buf_cstr(&fix));
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

/* The paragraph's text without spaces and line breaks, for finding repeats. Caller frees. */
static char *para_key(const struct block *b)
{
        struct buf k = {0};
        for (size_t i = 0; i < b->n; i++)
                if (b->ch[i].cp != ' ' && b->ch[i].cp != '\n' && b->ch[i].cp != 0x3000)
                        put_cp(&k, b->ch[i].cp);
        buf_puts(&k, "");
        return buf_detach(&k);
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
                for (size_t i = 0; i + llen < b->n; i++) {
                        if (!spells(b, i, label))
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

static int lint_one(json_t *article, json_t *datasets, bool strict, struct diag *d)
{
        struct lint l = {json_string_value(json_object_get(article, "path")), d, strict, 0, {0}};
        const char *md = json_string_value(json_object_get(article, "markdown"));
        int body_line = (int)json_integer_value(json_object_get(article, "body_line"));
        const char *source = json_string_value(json_object_get(article, "source"));
        if (!source || !source[strspn(source, " \t")])
                warn(&l, R_SOURCE, 1, 1,
                     "the article has no source: add source: \"…\" to the front matter (the paper, "
                     "agency or office the facts come from)");
        if (!md)
                return l.count;
        size_t n;
        struct block *b = split_blocks(md, strlen(md), body_line ? body_line : 1, &n);
        for (size_t i = 0; i < n; i++)
                if (b[i].kind != B_FENCE && b[i].kind != B_OTHER)
                        read_chars(&l, md, &b[i]);
        json_t *seen = json_object();
        for (size_t i = 0; i < n; i++) {
                if (!b[i].ch)
                        continue;
                const struct block *next = NULL;
                for (size_t j = i + 1; j < n && !next; j++)
                        next = &b[j];
                if (b[i].kind == B_PARA) {
                        char *key = para_key(&b[i]);
                        json_t *first = json_object_get(seen, key);
                        if (cp_len(key) >= 10 && first)
                                warn(&l, R_REPEAT, b[i].line, 1,
                                     "this paragraph repeats the one at line %d: delete one copy",
                                     (int)json_integer_value(first));
                        else if (!first)
                                json_object_set_new(seen, key, json_integer(b[i].line));
                        free(key);
                }
                check_broken(&l, &b[i], next && next->ch ? next : NULL);
                check_balance(&l, &b[i], next && next->ch ? next : NULL);
                check_punct(&l, &b[i]);
                if (datasets)
                        check_numbers(&l, &b[i], article, datasets);
        }
        json_decref(seen);
        free_blocks(b, n);
        return l.count;
}

int lint_article(json_t *article, json_t *datasets, struct diag *d)
{
        return lint_one(article, datasets, false, d);
}

int lint_content(json_t *content, bool drafts, bool strict, struct diag *d)
{
        int n = 0;
        size_t i;
        json_t *a;
        json_t *datasets = json_object_get(content, "datasets");
        json_array_foreach(json_object_get(content, "articles"), i, a)
        {
                if (!drafts && json_is_true(json_object_get(a, "draft")))
                        continue;
                n += lint_one(a, datasets, strict, d);
        }
        return n;
}
