/* numfmt: numbers for Chinese readers. Every number goes through the same two steps:
 * the shortest decimal digits of the double (from snprintf "%e", checked by reading them
 * back), then decimal rounding of those digits into a fixed form, which is printed with
 * separators. Nothing depends on the locale's grouping or decimal point. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_MAX 17  /* significant digits that identify any double */
#define FIX_MAX 400 /* room for 309 integer digits, the decimals, a carry and a leading 0 */

/* The shortest decimal form of a finite, non-zero magnitude: value = 0.d x 10^e. */
struct digits {
        char d[SIG_MAX + 1]; /* significant digits, first one non-zero, no trailing zeros */
        int n;               /* how many */
        int e;               /* decimal exponent, so that e digits precede the point */
};

/* A rounded number in fixed notation. */
struct fixed {
        int neg;         /* 1: print a minus sign (never set for zero) */
        char d[FIX_MAX]; /* integer digits, then the decimals; not NUL-terminated */
        int nint;        /* integer digits: at least 1 */
        int len;         /* all digits; decimals are d[nint..len), no trailing zero */
};

/* One scale of the Chinese number system, largest first. */
static const struct {
        int exp;          /* power of ten */
        const char *name; /* as written after a number */
} scales[] = {{12, "万亿"}, {8, "亿"}, {4, "万"}};

/* Scale prefixes a unit may start with ("亿元", "万人"); "万亿" before "万". */
static const struct {
        const char *text;
        int exp;
} prefixes[] = {{"万亿", 12}, {"千万", 7}, {"百万", 6}, {"亿", 8}, {"万", 4}};

/* Fragments that make a unit a ratio, never rescaled. */
static const char *const ratio_marks[] = {"%", "‰", "‱", "百分点", "倍", "分之", NULL};

/* Fills dg with the shortest digits of a (finite, > 0) that read back as a. Starts at
 * 15 digits, which is exact for every decimal of up to 15 digits. */
static void shortest(double a, struct digits *dg)
{
        char s[64];
        for (int p = 15; p <= SIG_MAX; p++) {
                snprintf(s, sizeof s, "%.*e", p - 1, a);
                if (p == SIG_MAX || strtod(s, NULL) == a)
                        break;
        }
        const char *c = s;
        dg->n = 0;
        for (; *c && *c != 'e' && *c != 'E'; c++)
                if (*c >= '0' && *c <= '9' && dg->n < SIG_MAX)
                        dg->d[dg->n++] = *c;
        int x = *c ? (int)strtol(c + 1, NULL, 10) : 0;
        while (dg->n > 1 && dg->d[dg->n - 1] == '0')
                dg->n--;
        dg->d[dg->n] = '\0';
        dg->e = x + 1;
}

/* Rounds finite v half away from zero to dec decimals (clamped to 0..NUMFMT_MAX_DECIMALS)
 * into f, trimming trailing zeros. */
static void to_fixed(double v, int dec, struct fixed *f)
{
        struct digits dg;
        f->neg = 0;
        f->d[0] = '0';
        f->nint = 1;
        f->len = 1;
        if (dec < 0)
                dec = 0;
        if (dec > NUMFMT_MAX_DECIMALS)
                dec = NUMFMT_MAX_DECIMALS;
        if (v == 0)
                return;
        shortest(fabs(v), &dg);

        /* a[0] takes a carry out of the first digit; a[1..len] are the kept digits. */
        char a[FIX_MAX];
        int nint = dg.e > 0 ? dg.e : 0, len = nint + dec;
        a[0] = '0';
        for (int p = 0; p < len; p++) {
                int k = p - nint + dg.e;
                a[p + 1] = k >= 0 && k < dg.n ? dg.d[k] : '0';
        }
        int kr = dec + dg.e; /* the first digit dropped */
        if (kr >= 0 && kr < dg.n && dg.d[kr] >= '5') {
                int p = len;
                while (p >= 1 && a[p] == '9')
                        a[p--] = '0';
                a[p]++;
        }
        int start = a[0] == '0' ? 1 : 0, n = 0;
        nint += 1 - start;
        if (nint == 0) {
                f->d[n++] = '0';
                nint = 1;
        }
        memcpy(f->d + n, a + start, (size_t)(len + 1 - start));
        n += len + 1 - start;
        while (n > nint && f->d[n - 1] == '0')
                n--;
        f->nint = nint;
        f->len = n;
        for (int i = 0; i < n; i++)
                if (f->d[i] != '0')
                        f->neg = v < 0;
}

/* Appends f, with a "," every three integer digits. */
static void put_fixed(struct buf *out, const struct fixed *f)
{
        if (f->neg)
                buf_putc(out, '-');
        for (int i = 0; i < f->nint; i++) {
                if (i > 0 && (f->nint - i) % 3 == 0)
                        buf_putc(out, ',');
                buf_putc(out, f->d[i]);
        }
        if (f->len > f->nint) {
                buf_putc(out, '.');
                buf_put(out, f->d + f->nint, (size_t)(f->len - f->nint));
        }
}

/* Returns the decimals that keep 3 significant digits of a (>= 0), between 0 and hi. */
static int sig3_decimals(double a, int hi)
{
        struct digits dg;
        if (a == 0)
                return 0;
        shortest(a, &dg);
        int dec = 3 - dg.e;
        return dec < 0 ? 0 : dec > hi ? hi : dec;
}

/* Decimals for a number shown unscaled in prose: 2, or 3 significant digits below 1. */
static int prose_decimals(double a)
{
        return a >= 1 ? 2 : sig3_decimals(a, 6);
}

/* Returns 10^k for 0 <= k <= 22 (exact in a double). */
static double pow10i(int k)
{
        double p = 1;
        while (k-- > 0)
                p *= 10;
        return p;
}

/* Appends finite v, given in units of 10^base, then unit: below 1万 of those units as
 * it is, else rescaled to the largest of 万, 亿, 万亿 the magnitude allows (above base),
 * with up to 2 decimals and that scale's name in front of rest. unit is the whole unit, rest the
 * part after its scale prefix. */
static void put_scaled(struct buf *out, double v, int base, const char *unit, const char *rest)
{
        struct fixed f;
        double a = fabs(v);
        if (a < 1e4) {
                to_fixed(v, prose_decimals(a), &f);
                if (f.nint <= 4) {
                        put_fixed(out, &f);
                        buf_puts(out, unit);
                        return;
                }
        }
        struct digits dg;
        shortest(a, &dg);
        int mag = base + (dg.e > 5 ? dg.e : 5) - 1; /* power of ten of the leading digit */
        size_t s = 0, ns = sizeof scales / sizeof scales[0];
        while (s < ns && scales[s].exp > mag)
                s++;
        if (s == ns || scales[s].exp <= base) {
                to_fixed(v, 0, &f);
                put_fixed(out, &f);
                buf_puts(out, unit);
                return;
        }
        for (;;) {
                double sv = v / pow10i(scales[s].exp - base);
                to_fixed(sv, 2, &f);
                if (f.nint <= 4 || s == 0)
                        break;
                s--;
        }
        put_fixed(out, &f);
        buf_puts(out, scales[s].name);
        buf_puts(out, rest);
}

void numfmt_plain(struct buf *out, double v, int decimals)
{
        struct fixed f;
        if (!isfinite(v)) {
                buf_puts(out, NUMFMT_DASH);
                return;
        }
        to_fixed(v, decimals, &f);
        put_fixed(out, &f);
}

void numfmt_cn(struct buf *out, double v)
{
        if (!isfinite(v)) {
                buf_puts(out, NUMFMT_DASH);
                return;
        }
        put_scaled(out, v, 0, "", "");
}

void numfmt_with_unit(struct buf *out, double v, const char *unit)
{
        if (!isfinite(v)) {
                buf_puts(out, NUMFMT_DASH);
                return;
        }
        if (!unit)
                unit = "";
        for (const char *const *m = ratio_marks; *m; m++)
                if (strstr(unit, *m)) {
                        struct fixed f;
                        to_fixed(v, prose_decimals(fabs(v)), &f);
                        put_fixed(out, &f);
                        buf_puts(out, unit);
                        return;
                }
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
                size_t n = strlen(prefixes[i].text);
                if (!strncmp(unit, prefixes[i].text, n)) {
                        put_scaled(out, v, prefixes[i].exp, unit, unit + n);
                        return;
                }
        }
        put_scaled(out, v, 0, unit, unit);
}

int numfmt_change(struct buf *out, double a, double b)
{
        if (a == 0 || !isfinite(a) || !isfinite(b))
                return -1;
        double p = (b - a) / fabs(a) * 100;
        if (!isfinite(p))
                return -1;
        struct fixed f;
        to_fixed(fabs(p), 1, &f);
        if (f.len == 1 && f.d[0] == '0') {
                buf_puts(out, "持平");
                return 0;
        }
        buf_puts(out, p > 0 ? "增长" : "下降");
        put_fixed(out, &f);
        buf_putc(out, '%');
        return 0;
}

void numfmt_cell(struct buf *out, json_t *cell)
{
        switch (cell ? json_typeof(cell) : JSON_NULL) {
        case JSON_INTEGER: {
                char s[32];
                struct fixed f;
                snprintf(s, sizeof s, "%" JSON_INTEGER_FORMAT, json_integer_value(cell));
                const char *p = s + (s[0] == '-');
                f.neg = s[0] == '-';
                f.len = f.nint = (int)strlen(p);
                memcpy(f.d, p, (size_t)f.len);
                put_fixed(out, &f);
                break;
        }
        case JSON_REAL:
                numfmt_plain(out, json_real_value(cell), 6);
                break;
        case JSON_STRING:
                buf_put(out, json_string_value(cell), json_string_length(cell));
                break;
        case JSON_TRUE:
                buf_puts(out, "是");
                break;
        case JSON_FALSE:
                buf_puts(out, "否");
                break;
        default:
                buf_puts(out, NUMFMT_DASH);
        }
}
