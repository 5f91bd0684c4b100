/* sitemap: sitemap.xml (sitemaps.org protocol 0.9, written with libxml2's xmlTextWriter)
 * and the robots.txt that points to it. */
#ifndef GONGBAO_SITEMAP_H
#define GONGBAO_SITEMAP_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>

/* The protocol's limit on URLs in one sitemap file. */
#define SITEMAP_MAX_URLS 50000

/* Appends a <urlset> to out. entries is a json array of {"loc": absolute http(s) URL,
 * "lastmod": "YYYY-MM-DD" or an RFC 3339 date-time, or absent}. Each loc is escaped as a
 * URL (spaces, quotes, controls and non-ASCII bytes percent-encoded; existing %XX kept)
 * and then as XML. More than SITEMAP_MAX_URLS entries only draws a warning. Returns 0, or
 * -1 after reporting to d (an entry without a usable loc, a malformed lastmod, a library
 * failure); out is then left as it was. */
int sitemap_write(json_t *entries, struct buf *out, struct diag *d) WUR;

/* Appends a robots.txt that allows every crawler everywhere and names sitemap_url.
 * Returns 0, or -1 (out untouched) when sitemap_url is NULL, empty or holds a control
 * character (a line break would inject a directive). */
int sitemap_robots(const char *sitemap_url, struct buf *out) WUR;

#endif
