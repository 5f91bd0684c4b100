/* sitemap: sitemap.xml through libxml2's xmlTextWriter, and robots.txt. */
#include "sitemap.h"
#include "escape.h"
#include "feed.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define NS_SITEMAP "http://www.sitemaps.org/schemas/sitemap/0.9"
#define LOC_MAX    2048 /* the protocol's limit on a URL's length */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
        xmlInitParser();
}

/* Appends the escaped loc of entry i to url. Returns 0, or -1 after reporting to d. */
static int entry_loc(const struct sitemap_url *e, size_t i, struct buf *url, struct diag *d)
{
        const char *s = e->loc;
        if (!s || (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8))) {
                diag_error(d, NULL, 0, 0, "sitemap: entry %zu has no absolute http(s) \"loc\"",
                           i + 1);
                return -1;
        }
        escape_url(url, s, strlen(s));
        if (url->len > LOC_MAX) {
                diag_error(d, NULL, 0, 0, "sitemap: entry %zu: URL longer than %d bytes: %.80s...",
                           i + 1, LOC_MAX, buf_cstr(url));
                return -1;
        }
        return 0;
}

/* Writes entry i's lastmod into out (at least FEED_DATE_MAX bytes) in a form the sitemap
 * schema accepts: a date stays as it is, a date-time is rewritten canonically (seconds,
 * upper-case T, Z or +hh:mm). out is "" when there is none. Returns 0, or -1 after
 * reporting to d. */
static int entry_lastmod(const struct sitemap_url *e, size_t i, char *out, struct diag *d)
{
        const char *s = e->lastmod;
        long long epoch;
        int offset;
        char probe[32];

        out[0] = '\0';
        if (!s || !*s)
                return 0;
        if (strlen(s) == 10) {
                /* YYYY-MM-DD: checked as midnight UTC of that day. */
                snprintf(probe, sizeof probe, "%sT00:00:00Z", s);
                if (feed_parse_rfc3339(probe, &epoch, &offset) == 0) {
                        memcpy(out, s, 11);
                        return 0;
                }
        } else if (feed_parse_rfc3339(s, &epoch, &offset) == 0 &&
                   feed_date_rfc3339(epoch, offset, out) == 0) {
                return 0;
        }
        out[0] = '\0';
        diag_error(d, NULL, 0, 0,
                   "sitemap: entry %zu has a \"lastmod\" that is neither YYYY-MM-DD nor RFC 3339",
                   i + 1);
        return -1;
}

/* Appends a document of root element root (in the sitemaps namespace) holding one element
 * elem, with loc and lastmod when it has one, per url. Returns 0, or -1 after reporting
 * to d. */
static int write_doc(const char *root, const char *elem, const struct sitemap_url *urls, size_t n,
                     struct buf *out, struct diag *d)
{
        xmlBufferPtr xb = NULL;
        xmlTextWriterPtr w = NULL;
        struct buf url = {0};
        char lastmod[FEED_DATE_MAX];
        int rc = -1;

        pthread_once(&xml_once, xml_init);
        if (!(xb = xmlBufferCreate()))
                goto fail;
        /* grown by doubling: the default grows it to the exact size at every write, which
         * copied 13 MB 131,000 times over on a site of 100,000 articles */
        xmlBufferSetAllocationScheme(xb, XML_BUFFER_ALLOC_DOUBLEIT);
        if (!(w = xmlNewTextWriterMemory(xb, 0)) || xmlTextWriterSetIndent(w, 1) < 0 ||
            xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
            xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
            xmlTextWriterStartElement(w, BAD_CAST root) < 0 ||
            xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_SITEMAP) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                buf_reset(&url);
                if (entry_loc(&urls[i], i, &url, d) < 0 ||
                    entry_lastmod(&urls[i], i, lastmod, d) < 0)
                        goto out;
                if (xmlTextWriterStartElement(w, BAD_CAST elem) < 0 ||
                    xmlTextWriterWriteElement(w, BAD_CAST "loc", BAD_CAST buf_cstr(&url)) < 0)
                        goto fail;
                if (lastmod[0] &&
                    xmlTextWriterWriteElement(w, BAD_CAST "lastmod", BAD_CAST lastmod) < 0)
                        goto fail;
                if (xmlTextWriterEndElement(w) < 0)
                        goto fail;
        }
        if (xmlTextWriterEndDocument(w) < 0)
                goto fail;
        xmlFreeTextWriter(w); /* flushes into xb */
        w = NULL;
        buf_put(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
        rc = 0;
        goto out;
fail:
        diag_error(d, NULL, 0, 0, "sitemap: libxml2 failed to write the sitemap");
out:
        if (w)
                xmlFreeTextWriter(w);
        if (xb)
                xmlBufferFree(xb);
        buf_free(&url);
        return rc;
}

int sitemap_write(const struct sitemap_url *urls, size_t n, struct buf *out, struct diag *d)
{
        if (n > SITEMAP_MAX_URLS)
                diag_warn(d, NULL, 0, 0,
                          "sitemap: %zu URLs, more than the %d search engines read from one file",
                          n, SITEMAP_MAX_URLS);
        return write_doc("urlset", "url", urls, n, out, d);
}

/* Appends the <sitemapindex> of parts sitemap-1.xml to sitemap-<parts>.xml at base. */
static int write_index(size_t parts, const char *base, struct buf *out, struct diag *d)
{
        struct sitemap_url *v = xcalloc(parts, sizeof *v);
        for (size_t k = 0; k < parts; k++)
                v[k].loc = xasprintf("%ssitemap-%zu.xml", base, k + 1);
        int rc = write_doc("sitemapindex", "sitemap", v, parts, out, d);
        for (size_t k = 0; k < parts; k++)
                free((char *)v[k].loc);
        free(v);
        return rc;
}

int sitemap_write_split(const struct sitemap_url *urls, size_t n, size_t max, const char *base,
                        int (*emit)(void *ctx, const char *name, const struct buf *bytes),
                        void *ctx, struct diag *d)
{
        struct buf b = {0};
        int rc = 0;
        if (!max)
                max = SITEMAP_MAX_URLS;
        size_t parts = n <= max ? 1 : (n + max - 1) / max;
        char name[48];
        for (size_t k = 0; k < parts && rc == 0; k++) {
                size_t from = k * max, count = n - from < max ? n - from : max;
                buf_reset(&b);
                if (parts == 1)
                        snprintf(name, sizeof name, "sitemap.xml");
                else
                        snprintf(name, sizeof name, "sitemap-%zu.xml", k + 1);
                rc = sitemap_write(urls + from, count, &b, d);
                if (rc == 0)
                        rc = emit(ctx, name, &b);
        }
        if (rc == 0 && parts > 1) {
                buf_reset(&b);
                rc = write_index(parts, base ? base : "", &b, d);
                if (rc == 0)
                        rc = emit(ctx, "sitemap.xml", &b);
        }
        buf_free(&b);
        return rc;
}

int sitemap_robots(const char *sitemap_url, struct buf *out)
{
        if (!sitemap_url || !*sitemap_url)
                return -1;
        for (const unsigned char *p = (const unsigned char *)sitemap_url; *p; p++)
                if (*p < 0x20 || *p == 0x7F)
                        return -1;
        buf_printf(out, "User-agent: *\nAllow: /\n\nSitemap: %s\n", sitemap_url);
        return 0;
}
