/* date: proleptic Gregorian arithmetic without the C library's time zone state, so the
 * result does not depend on TZ or locale. */
#include "date.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        *d = (int)(doy - (153 * mp + 2) / 5 + 1);
        *m = (int)(mp < 10 ? mp + 3 : mp - 9);
        *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return m == 2 ? 28 + leap : days[m - 1];
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*p)[i]))
                        return -1;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *out = v;
        return 0;
}

int date_parse_offset(const char *s, int *minutes)
{
        if (!strcmp(s, "Z") || !strcmp(s, "z")) {
                *minutes = 0;
                return 0;
        }
        int h, m;
        const char *p = s + 1;
        if ((s[0] != '+' && s[0] != '-') || digits(&p, 2, &h) < 0 || *p++ != ':' ||
            digits(&p, 2, &m) < 0 || *p || h > 23 || m > 59)
                return -1;
        *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
        return 0;
}

int date_parse(const char *s, int default_offset, struct gdate *out, const char **why)
{
        const char *p = s;
        int y, mo, d, h = 0, mi = 0, se = 0, off = default_offset;
        *why = "expected an ISO 8601 date such as 2025-01-20T10:00:00+08:00";
        if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
            digits(&p, 2, &d) < 0)
                return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
                *why = "no such day in the calendar";
                return -1;
        }
        if (*p) {
                if (*p != 'T' && *p != 't' && *p != ' ')
                        return -1;
                p++;
                if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
                        return -1;
                if (*p == ':') {
                        p++;
                        if (digits(&p, 2, &se) < 0)
                                return -1;
                        if (*p == '.' || *p == ',') {
                                p++;
                                if (!isdigit((unsigned char)*p))
                                        return -1;
                                while (isdigit((unsigned char)*p))
                                        p++;
                        }
                }
                if (h > 23 || mi > 59 || se > 60) {
                        *why = "no such time of day";
                        return -1;
                }
                if (!*p) {
                        *why = "a time needs a zone, e.g. +08:00 or Z";
                        return -1;
                }
                if (date_parse_offset(p, &off) < 0) {
                        *why = "bad zone: expected Z or ±HH:MM, e.g. +08:00";
                        return -1;
                }
        }
        if (se == 60)
                se = 59; /* a leap second is shown as the second before it */
        out->epoch =
            days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
        out->offset = off;
        return 0;
}

void date_fields(const struct gdate *d, struct gdate_fields *f)
{
        int64_t local = d->epoch + (int64_t)d->offset * 60;
        int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
        int64_t secs = local - days * 86400;
        civil_from_days(days, &f->year, &f->month, &f->day);
        f->hour = (int)(secs / 3600);
        f->minute = (int)(secs / 60 % 60);
        f->second = (int)(secs % 60);
        f->weekday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
}

/* Writes v (0 to 99) as two digits. */
static char *two_digits(char *p, int v)
{
        *p++ = (char)('0' + v / 10);
        *p++ = (char)('0' + v % 10);
        return p;
}

/* date_rfc3339 for the common case (years 0 to 9999, zones under 100 hours) without
 * printf, which a load calls for every date of every article. Returns -1 otherwise. */
static int rfc3339_fast(struct buf *out, const struct gdate *d, const struct gdate_fields *f)
{
        if (f->year < 0 || f->year > 9999 || d->offset <= -6000 || d->offset >= 6000)
                return -1;
        char s[32], *p = s;
        p = two_digits(p, f->year / 100);
        p = two_digits(p, f->year % 100);
        *p++ = '-';
        p = two_digits(p, f->month);
        *p++ = '-';
        p = two_digits(p, f->day);
        *p++ = 'T';
        p = two_digits(p, f->hour);
        *p++ = ':';
        p = two_digits(p, f->minute);
        *p++ = ':';
        p = two_digits(p, f->second);
        if (d->offset == 0) {
                *p++ = 'Z';
        } else {
                int a = abs(d->offset);
                *p++ = d->offset < 0 ? '-' : '+';
                p = two_digits(p, a / 60);
                *p++ = ':';
                p = two_digits(p, a % 60);
        }
        buf_put(out, s, (size_t)(p - s));
        return 0;
}

void date_rfc3339(struct buf *out, const struct gdate *d)
{
        struct gdate_fields f;
        date_fields(d, &f);
        if (rfc3339_fast(out, d, &f) == 0)
                return;
        buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d", f.year, f.month, f.day, f.hour, f.minute,
                   f.second);
        if (d->offset == 0)
                buf_puts(out, "Z");
        else
                buf_printf(out, "%c%02d:%02d", d->offset < 0 ? '-' : '+', abs(d->offset) / 60,
                           abs(d->offset) % 60);
}

void date_zh(struct buf *out, const struct gdate *d)
{
        struct gdate_fields f;
        date_fields(d, &f);
        buf_printf(out, "%d年%d月%d日", f.year, f.month, f.day);
}

void date_ymd(struct buf *out, const struct gdate *d)
{
        struct gdate_fields f;
        date_fields(d, &f);
        buf_printf(out, "%04d-%02d-%02d", f.year, f.month, f.day);
}
