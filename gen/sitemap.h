/* sitemap: sitemap.xml (sitemaps.org protocol 0.9, written with libxml2's xmlTextWriter)
 * and the robots.txt that points to it. */
#ifndef GONGBAO_SITEMAP_H
#define GONGBAO_SITEMAP_H

#include "buf.h"
#include "diag.h"

#include <stddef.h>

/* The protocol's limit on URLs in one sitemap file. */
#define SITEMAP_MAX_URLS 50000

/* A page for the sitemap. */
struct sitemap_url {
        const char *loc;     /* its absolute http(s) URL */
        const char *lastmod; /* "YYYY-MM-DD" or an RFC 3339 date-time; NULL or "": none */
};

/* Appends a <urlset> of the n urls to out. Each loc is escaped as a URL (spaces, quotes,
 * controls and non-ASCII bytes percent-encoded; existing %XX kept) and then as XML. More
 * than SITEMAP_MAX_URLS entries only draws a warning. Returns 0, or -1 after reporting to
 * d (an entry without a usable loc, a malformed lastmod, a library failure); out is then
 * left as it was. */
int sitemap_write(const struct sitemap_url *urls, size_t n, struct buf *out, struct diag *d) WUR;

/* Writes the sitemap of the n urls through emit (which writes the bytes of one file,
 * named relative to the site's root, and returns 0 or -1 after reporting): with at most
 * max urls, one <urlset> as "sitemap.xml"; with more, "sitemap-1.xml", "sitemap-2.xml",
 * ... of max urls each, in order, and "sitemap.xml" as the <sitemapindex> that lists
 * them, at base (the site's absolute URL, ending in '/') followed by their names: search
 * engines read SITEMAP_MAX_URLS URLs from one file. Returns 0, or -1 after reporting to d
 * (as sitemap_write) or when emit failed. max 0 stands for SITEMAP_MAX_URLS. */
int sitemap_write_split(const struct sitemap_url *urls, size_t n, size_t max, const char *base,
                        int (*emit)(void *ctx, const char *name, const struct buf *bytes),
                        void *ctx, struct diag *d) WUR;

/* Appends a robots.txt that allows every crawler everywhere and names sitemap_url.
 * Returns 0, or -1 (out untouched) when sitemap_url is NULL, empty or holds a control
 * character (a line break would inject a directive). */
int sitemap_robots(const char *sitemap_url, struct buf *out) WUR;

#endif
