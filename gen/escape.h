/* escape: writing text safely into each output context. */
#ifndef GONGBAO_ESCAPE_H
#define GONGBAO_ESCAPE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* HTML text and double- or single-quoted attribute values: & < > " ' are replaced. */
void escape_html(struct buf *out, const char *s, size_t len);
/* XML text and attributes: & < > " ' replaced, and characters XML 1.0 forbids dropped. */
void escape_xml(struct buf *out, const char *s, size_t len);
/* One URL path segment: everything but unreserved ASCII is percent-encoded (UTF-8 bytes
 * included), so a Chinese tag becomes %E5%8C%BB... */
void escape_url_segment(struct buf *out, const char *s, size_t len);
/* A whole URL written by an author: keeps its reserved characters, percent-encodes
 * spaces, controls, quotes and non-ASCII bytes. */
void escape_url(struct buf *out, const char *s, size_t len);
/* JSON text placed inside <script type="application/ld+json">: escapes < > & and the
 * line separators so that no "</script>" or "<!--" can end the element. */
void escape_script_json(struct buf *out, const char *s, size_t len);
/* True when url's scheme (if any) is one a reader's browser may follow safely: http,
 * https, mailto, tel, or no scheme (a relative reference). Leading spaces, controls and
 * entity tricks are taken into account as browsers do. */
bool escape_url_is_safe(const char *url);

#endif
