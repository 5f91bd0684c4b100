/* feed: the site's and each topic's feeds: RSS 2.0, Atom 1.0 (RFC 4287) and JSON Feed 1.1.
 * The XML feeds are written with libxml2's xmlTextWriter, the JSON Feed with jansson.
 * Output depends only on the arguments (no wall-clock time), so builds are reproducible.
 *
 * items is a json array of article objects as built by the site model, newest first and
 * already cut to the feed's size. Each one needs "title", "permalink" and a date
 * ("date_epoch" + "date_offset", or failing those an RFC 3339 "date"); "updated*",
 * "summary", "author", "source", "topics", "tags", "content_abs" and "image" are used
 * when present (an image whose URL scheme is unsafe is left out). Characters XML 1.0
 * forbids (and C1 controls) are dropped from every string in all three formats, so the XML
 * written is always well-formed; URLs are percent-escaped where they need it. */
#ifndef GONGBAO_FEED_H
#define GONGBAO_FEED_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stddef.h>

/* What describes one feed: the site's or a topic's. All strings UTF-8; URLs absolute. */
struct feed_channel {
        const char *title;       /* e.g. "民生信息公开 · 医疗保障"; required */
        const char *description; /* channel description / Atom subtitle; NULL means "" */
        const char *link;        /* the HTML page the feed follows; required (Atom feed id) */
        const char *rss_url;     /* this RSS file (atom:link rel=self); required by feed_rss */
        const char *atom_url;    /* the Atom file (rel=self); NULL leaves the link out */
        const char *json_url;    /* the JSON Feed (feed_url); NULL leaves it out */
        const char *language;    /* e.g. "zh-CN"; NULL leaves it out */
        const char *icon;        /* absolute URL of an icon or logo; NULL leaves it out */
};

/* Room enough for either date format, NUL included. */
#define FEED_DATE_MAX 40

/* Formats the instant epoch (seconds since 1970-01-01T00:00:00Z) as seen in the zone
 * offset_min minutes east of UTC, in RFC 822 as RSS wants it, with fixed English names:
 * "Mon, 20 Jan 2025 10:00:00 +0800". out must hold FEED_DATE_MAX bytes. Returns 0, or -1
 * when the local year is outside 0000..9999 or |offset_min| is a day or more. */
int feed_date_rfc822(long long epoch, int offset_min, char *out) WUR;

/* The same instant in RFC 3339: "2025-01-20T10:00:00+08:00", or "...Z" for offset 0.
 * Returns 0 or -1 as feed_date_rfc822. */
int feed_date_rfc3339(long long epoch, int offset_min, char *out) WUR;

/* Parses an RFC 3339 date-time ("2025-01-20T10:00:00+08:00", fractions of a second
 * ignored, "Z" or a numeric offset required) into *epoch and *offset_min.
 * Returns 0, or -1 when s is not such a date. */
int feed_parse_rfc3339(const char *s, long long *epoch, int *offset_min) WUR;

/* Each writer appends one complete feed document to out. Returns 0, or -1 after reporting
 * the problem to d (a channel or item missing a required field, a date out of range, a
 * library failure); out is then left as it was. */
int feed_rss(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d) WUR;
int feed_atom(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d) WUR;
int feed_json(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d) WUR;

#endif
