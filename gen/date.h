/* date: ISO 8601 / RFC 3339 timestamps with their zone, and the forms pages show. */
#ifndef GONGBAO_DATE_H
#define GONGBAO_DATE_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

/* A moment and the zone it was written in. */
struct gdate {
        int64_t epoch; /* seconds since 1970-01-01T00:00:00Z */
        int offset;    /* minutes east of UTC of the zone it was written in */
};

/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]](Z|±HH:MM)" (a space may stand for T).
 * A date without a time is midnight in default_offset; a time without a zone is refused.
 * Returns 0, or -1 with *why set to a static English reason. */
int date_parse(const char *s, int default_offset, struct gdate *out, const char **why) WUR;
/* Parses a zone "+08:00", "-05:30" or "Z" into minutes east of UTC. Returns 0 or -1. */
int date_parse_offset(const char *s, int *minutes) WUR;

/* The civil fields of a moment in its own zone. */
struct gdate_fields {
        int year, month, day, hour, minute, second, weekday; /* weekday 0 = Sunday */
};
void date_fields(const struct gdate *d, struct gdate_fields *f);

/* "2025-01-20T10:00:00+08:00" */
void date_rfc3339(struct buf *out, const struct gdate *d);
/* "2025年1月20日" */
void date_zh(struct buf *out, const struct gdate *d);
/* "2025-01-20" (the sitemap's lastmod) */
void date_ymd(struct buf *out, const struct gdate *d);

#endif
