/* feed: RSS 2.0 and Atom 1.0 through libxml2's xmlTextWriter, JSON Feed 1.1 through jansson.
 * Every item is read and checked (and its dates formatted) before anything is written, so a
 * bad item fails the feed before any output. */
#include "feed.h"
#include "date.h"
#include "escape.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_ATOM    "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define JSONFEED   "https://jsonfeed.org/version/1.1"
#define GENERATOR  "Gongbao"

/* ---- dates ---- */

/* Instants further than this from 1970 are outside years 0000..9999 in any zone. */
#define EPOCH_LIMIT 300000000000LL

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Breaks epoch down in the zone offset_min minutes east of UTC (date.c does the
 * calendar). Returns 0, or -1 when the offset is a day or more or the local year is
 * outside 0000..9999, which RFC 822 and RFC 3339 cannot write. */
static int to_fields(long long epoch, int offset_min, struct gdate_fields *f)
{
        if (offset_min <= -24 * 60 || offset_min >= 24 * 60)
                return -1;
        if (epoch < -EPOCH_LIMIT || epoch > EPOCH_LIMIT)
                return -1;
        struct gdate g = {epoch, offset_min};
        date_fields(&g, f);
        return f->year < 0 || f->year > 9999 ? -1 : 0;
}

int feed_date_rfc822(long long epoch, int offset_min, char *out)
{
        struct gdate_fields f;
        if (to_fields(epoch, offset_min, &f) < 0)
                return -1;
        int a = offset_min < 0 ? -offset_min : offset_min;
        snprintf(out, FEED_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                 day_names[f.weekday], f.day, mon_names[f.month - 1], f.year, f.hour, f.minute,
                 f.second, offset_min < 0 ? '-' : '+', a / 60, a % 60);
        return 0;
}

int feed_date_rfc3339(long long epoch, int offset_min, char *out)
{
        struct gdate_fields f;
        if (to_fields(epoch, offset_min, &f) < 0)
                return -1;
        struct buf b = {0};
        struct gdate g = {epoch, offset_min};
        date_rfc3339(&b, &g);
        snprintf(out, FEED_DATE_MAX, "%s", buf_cstr(&b));
        buf_free(&b);
        return 0;
}

int feed_parse_rfc3339(const char *s, long long *epoch, int *offset_min)
{
        /* RFC 3339 wants the full form, YYYY-MM-DDTHH:MM:SS and a zone; date.c reads more
         * (a bare date, a space for T, no seconds), so the form is checked here first */
        if (!s || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
                return -1;
        struct gdate g;
        const char *why;
        if (date_parse(s, 0, &g, &why) < 0)
                return -1;
        *epoch = g.epoch;
        *offset_min = g.offset;
        return 0;
}

/* ---- text ---- */

/* Appends s[0..len) to out, keeping only characters XML 1.0 allows and that belong in
 * text: malformed UTF-8, controls other than TAB, LF and CR (C0, DEL and C1), and U+FFFE
 * and U+FFFF are dropped. The result is valid UTF-8. */
static void clean_text(struct buf *out, const char *s, size_t len)
{
        const unsigned char *u = (const unsigned char *)s;
        size_t i = 0, run = 0; /* u[run..i) is known good and not yet copied */
        while (i < len) {
                unsigned char c = u[i];
                size_t n = 0; /* length of the sequence at i when it is kept */
                if (c < 0x80) {
                        if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r')
                                n = 1;
                } else if (c >= 0xC2 && c <= 0xDF) {
                        if (i + 1 < len && (u[i + 1] & 0xC0) == 0x80 &&
                            !(c == 0xC2 && u[i + 1] <= 0x9F))
                                n = 2;
                } else if (c >= 0xE0 && c <= 0xEF) {
                        if (i + 2 < len && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80 &&
                            !(c == 0xE0 && u[i + 1] < 0xA0) && !(c == 0xED && u[i + 1] > 0x9F) &&
                            !(c == 0xEF && u[i + 1] == 0xBF && u[i + 2] >= 0xBE))
                                n = 3;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        if (i + 3 < len && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80 &&
                            (u[i + 3] & 0xC0) == 0x80 && !(c == 0xF0 && u[i + 1] < 0x90) &&
                            !(c == 0xF4 && u[i + 1] > 0x8F))
                                n = 4;
                }
                if (n) {
                        i += n;
                        continue;
                }
                buf_put(out, s + run, i - run);
                i++; /* drop one byte and resynchronise */
                run = i;
        }
        buf_put(out, s + run, len - run);
}

/* A string with its length; s is NULL when the field is absent. */
struct text {
        const char *s;
        size_t n;
};

/* Returns the string member key of obj, or {NULL, 0} when it is absent or not a string. */
static struct text get_text(json_t *obj, const char *key)
{
        json_t *v = json_object_get(obj, key);
        struct text t = {NULL, 0};
        if (json_is_string(v)) {
                t.s = json_string_value(v);
                t.n = json_string_length(v);
        }
        return t;
}

/* As get_text, but an empty string counts as absent. */
static struct text get_nonempty(json_t *obj, const char *key)
{
        struct text t = get_text(obj, key);
        if (t.s && t.n == 0)
                t.s = NULL;
        return t;
}

/* The name of a topic or tag: the member key of an object, or the string itself. */
static struct text name_of(json_t *v, const char *key)
{
        struct text t = {NULL, 0};
        if (json_is_string(v)) {
                t.s = json_string_value(v);
                t.n = json_string_length(v);
        } else if (json_is_object(v)) {
                t = get_text(v, key);
        }
        if (t.s && t.n == 0)
                t.s = NULL;
        return t;
}

static struct text ctext(const char *s)
{
        struct text t = {s, s ? strlen(s) : 0};
        return t;
}

/* Returns the URL t escaped with escape_url (spaces, quotes, controls and non-ASCII
 * percent-encoded, existing %XX kept), so that the same URL reads the same in every feed.
 * The result lives in scratch until its next use. */
static struct text url_of(struct buf *scratch, struct text t)
{
        buf_reset(scratch);
        if (t.s)
                escape_url(scratch, t.s, t.n);
        struct text u = {buf_cstr(scratch), scratch->len};
        return u;
}

/* ---- items ---- */

/* One item, checked, with its dates formatted. Strings point into the json item. */
struct item {
        struct text title, permalink, summary, author, source, content, image;
        json_t *topics, *tags; /* arrays, or NULL */
        bool has_updated;
        long long mod_epoch; /* updated, else date */
        char pub822[FEED_DATE_MAX], pub3339[FEED_DATE_MAX];
        char mod822[FEED_DATE_MAX], mod3339[FEED_DATE_MAX]; /* updated, else date */
        char upd3339[FEED_DATE_MAX];                        /* "" unless has_updated */
};

/* Reads the instant named key ("date" or "updated") of an item: key_epoch and key_offset
 * when key_epoch is an integer, else the RFC 3339 string key. Returns 1 when found, 0 when
 * absent, -1 when malformed. */
static int item_instant(json_t *obj, const char *key, long long *epoch, int *offset)
{
        char k[32];
        snprintf(k, sizeof k, "%s_epoch", key);
        json_t *e = json_object_get(obj, k);
        if (json_is_integer(e)) {
                snprintf(k, sizeof k, "%s_offset", key);
                json_t *o = json_object_get(obj, k);
                *epoch = json_integer_value(e);
                *offset = 0;
                if (o) {
                        if (!json_is_integer(o) || json_integer_value(o) <= -24 * 60 ||
                            json_integer_value(o) >= 24 * 60)
                                return -1;
                        *offset = (int)json_integer_value(o);
                }
                return 1;
        }
        json_t *s = json_object_get(obj, key);
        if (!s && !e)
                return 0;
        if (e || !json_is_string(s))
                return -1;
        return feed_parse_rfc3339(json_string_value(s), epoch, offset) < 0 ? -1 : 1;
}

/* Fills it from the i-th element of the items array. Returns 0, or -1 after reporting
 * what is missing or malformed to d. */
static int item_read(json_t *obj, size_t i, struct item *it, struct diag *d)
{
        long long epoch, upd_epoch = 0;
        int offset, upd_offset = 0, r = 0;
        const char *what = NULL;

        memset(it, 0, sizeof *it);
        if (!json_is_object(obj)) {
                diag_error(d, NULL, 0, 0, "feed: item %zu is not an object", i + 1);
                return -1;
        }
        it->title = get_text(obj, "title");
        it->permalink = get_nonempty(obj, "permalink");
        it->summary = get_text(obj, "summary");
        it->author = get_nonempty(obj, "author");
        it->source = get_nonempty(obj, "source");
        it->content = get_text(obj, "content_abs");
        it->image = get_nonempty(obj, "image");
        if (it->image.s && (strlen(it->image.s) != it->image.n || !escape_url_is_safe(it->image.s)))
                it->image.s = NULL; /* never hand a reader a javascript: image */
        it->topics =
            json_is_array(json_object_get(obj, "topics")) ? json_object_get(obj, "topics") : NULL;
        it->tags =
            json_is_array(json_object_get(obj, "tags")) ? json_object_get(obj, "tags") : NULL;
        if (!it->summary.s)
                it->summary = ctext("");

        if (!it->title.s)
                what = "no \"title\" string";
        else if (!it->permalink.s)
                what = "no \"permalink\"";
        else if ((r = item_instant(obj, "date", &epoch, &offset)) <= 0)
                what = r < 0 ? "a malformed date" : "no date";
        else if ((r = item_instant(obj, "updated", &upd_epoch, &upd_offset)) < 0)
                what = "a malformed \"updated\" date";
        else if (feed_date_rfc822(epoch, offset, it->pub822) < 0 ||
                 feed_date_rfc3339(epoch, offset, it->pub3339) < 0)
                what = "a date outside years 0000-9999";
        if (!what && r > 0) {
                it->has_updated = true;
                if (feed_date_rfc3339(upd_epoch, upd_offset, it->upd3339) < 0 ||
                    feed_date_rfc822(upd_epoch, upd_offset, it->mod822) < 0)
                        what = "an \"updated\" date outside years 0000-9999";
        }
        if (what) {
                const char *url = json_string_value(json_object_get(obj, "url"));
                diag_error(d, NULL, 0, 0, "feed: item %zu%s%s%s has %s", i + 1, url ? " (" : "",
                           url ? url : "", url ? ")" : "", what);
                return -1;
        }
        if (it->has_updated) {
                it->mod_epoch = upd_epoch;
                strcpy(it->mod3339, it->upd3339);
        } else {
                it->mod_epoch = epoch;
                strcpy(it->mod3339, it->pub3339);
                strcpy(it->mod822, it->pub822);
        }
        return 0;
}

/* Reads every item of the array items into *out (caller frees with free()) and sets *n and
 * *newest, the index of the item modified last (the first of equals; n when there are
 * none). Returns 0, or -1 after reporting to d. */
static int items_read(json_t *items, struct item **out, size_t *n, size_t *newest, struct diag *d)
{
        *out = NULL;
        *n = 0;
        *newest = 0;
        if (!json_is_array(items)) {
                diag_error(d, NULL, 0, 0, "feed: the items are not an array");
                return -1;
        }
        size_t count = json_array_size(items);
        struct item *its = xcalloc(count, sizeof *its);
        size_t best = count;
        for (size_t i = 0; i < count; i++) {
                if (item_read(json_array_get(items, i), i, &its[i], d) < 0) {
                        free(its);
                        return -1;
                }
                if (best == count || its[i].mod_epoch > its[best].mod_epoch)
                        best = i;
        }
        *out = its;
        *n = count;
        *newest = best;
        return 0;
}

/* The item's content as HTML: content_abs, else its summary escaped as a paragraph (empty
 * when there is no summary either). Written into tmp; the result is owned by tmp or it. */
static struct text item_html(const struct item *it, struct buf *tmp)
{
        if (it->content.s)
                return it->content;
        buf_reset(tmp);
        if (it->summary.n) {
                buf_puts(tmp, "<p>");
                escape_html(tmp, it->summary.s, it->summary.n);
                buf_puts(tmp, "</p>");
        }
        struct text t = {buf_cstr(tmp), tmp->len};
        return t;
}

/* Checks the channel fields every feed needs. Returns 0, or -1 after reporting to d. */
static int channel_check(const struct feed_channel *ch, const char *kind, struct diag *d)
{
        if (!ch || !ch->title || !ch->link) {
                diag_error(d, NULL, 0, 0, "feed: %s feed without a title or link", kind);
                return -1;
        }
        return 0;
}

/* ---- the XML writer ---- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
        xmlInitParser();
}

/* An xmlTextWriter into memory with a sticky error: once a call fails, later ones do
 * nothing, and xw_finish reports the failure. Zero-initialise, then xw_open. */
struct xw {
        xmlBufferPtr xbuf;
        xmlTextWriterPtr w;
        struct buf tmp; /* the last string cleaned for the writer */
        struct buf url; /* the last URL escaped for the writer */
        bool err;
};

/* Starts a UTF-8 document indented by two spaces. Returns 0 or -1; xw_close either way. */
static int xw_open(struct xw *x)
{
        pthread_once(&xml_once, xml_init);
        x->xbuf = xmlBufferCreate();
        if (!x->xbuf)
                return -1;
        x->w = xmlNewTextWriterMemory(x->xbuf, 0);
        if (!x->w)
                return -1;
        if (xmlTextWriterSetIndent(x->w, 1) < 0 ||
            xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
            xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0)
                return -1;
        return 0;
}

/* Returns t cleaned of what XML forbids, NUL-terminated; valid until the next call. */
static const xmlChar *xw_clean(struct xw *x, struct text t)
{
        buf_reset(&x->tmp);
        if (t.s)
                clean_text(&x->tmp, t.s, t.n);
        return BAD_CAST buf_cstr(&x->tmp);
}

static void xw_start(struct xw *x, const char *name)
{
        if (!x->err && xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
                x->err = true;
}

static void xw_end(struct xw *x)
{
        if (!x->err && xmlTextWriterEndElement(x->w) < 0)
                x->err = true;
}

/* An attribute of the element just started; the writer escapes the value. */
static void xw_attr(struct xw *x, const char *name, struct text value)
{
        if (!x->err && xmlTextWriterWriteAttribute(x->w, BAD_CAST name, xw_clean(x, value)) < 0)
                x->err = true;
}

/* Text inside the current element; the writer escapes it. */
static void xw_text(struct xw *x, struct text t)
{
        if (!x->err && xmlTextWriterWriteString(x->w, xw_clean(x, t)) < 0)
                x->err = true;
}

/* <name>t</name> */
static void xw_elem(struct xw *x, const char *name, struct text t)
{
        if (!x->err && xmlTextWriterWriteElement(x->w, BAD_CAST name, xw_clean(x, t)) < 0)
                x->err = true;
}

/* Ends the document and appends it to out. Returns 0, or -1 when any call failed. */
static int xw_finish(struct xw *x, struct buf *out)
{
        if (x->err || xmlTextWriterEndDocument(x->w) < 0)
                return -1;
        xmlFreeTextWriter(x->w); /* flushes into xbuf */
        x->w = NULL;
        buf_put(out, xmlBufferContent(x->xbuf), (size_t)xmlBufferLength(x->xbuf));
        return 0;
}

/* Frees what xw_open made; safe after a failed or no xw_open. */
static void xw_close(struct xw *x)
{
        if (x->w)
                xmlFreeTextWriter(x->w);
        if (x->xbuf)
                xmlBufferFree(x->xbuf);
        buf_free(&x->tmp);
        buf_free(&x->url);
        x->w = NULL;
        x->xbuf = NULL;
}

/* ---- RSS 2.0 ---- */

/* Writes one <item>. */
static void rss_item(struct xw *x, const struct item *it, struct buf *html)
{
        xw_start(x, "item");
        xw_elem(x, "title", it->title);
        xw_elem(x, "link", url_of(&x->url, it->permalink));
        xw_start(x, "guid");
        xw_attr(x, "isPermaLink", ctext("true"));
        xw_text(x, url_of(&x->url, it->permalink));
        xw_end(x);
        xw_elem(x, "pubDate", ctext(it->pub822));
        /* RSS readers take an item's description as HTML: the summary, plain text, is
         * escaped for HTML first (and then, by the writer, for XML), so that a summary
         * "<script>…" reaches a reader as text, not markup. */
        struct buf desc = {0};
        escape_html(&desc, it->summary.s ? it->summary.s : "", it->summary.n);
        struct text dt = {buf_cstr(&desc), desc.len};
        xw_elem(x, "description", dt);
        buf_free(&desc);
        xw_elem(x, "content:encoded", item_html(it, html));
        if (it->author.s)
                xw_elem(x, "dc:creator", it->author);
        size_t i;
        json_t *v;
        json_array_foreach(it->topics, i, v)
        {
                struct text name = name_of(v, "name");
                if (name.s)
                        xw_elem(x, "category", name);
        }
        json_array_foreach(it->tags, i, v)
        {
                struct text name = name_of(v, "name");
                if (name.s)
                        xw_elem(x, "category", name);
        }
        xw_end(x);
}

int feed_rss(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d)
{
        struct item *its = NULL;
        size_t n = 0, newest = 0;
        struct xw x = {0};
        struct buf html = {0};
        int rc = -1;

        if (channel_check(ch, "RSS", d) < 0)
                goto out;
        if (!ch->rss_url) {
                diag_error(d, NULL, 0, 0, "feed: RSS feed \"%s\" without its own URL", ch->title);
                goto out;
        }
        if (items_read(items, &its, &n, &newest, d) < 0)
                goto out;
        if (xw_open(&x) < 0)
                goto fail;
        xw_start(&x, "rss");
        xw_attr(&x, "version", ctext("2.0"));
        xw_attr(&x, "xmlns:atom", ctext(NS_ATOM));
        xw_attr(&x, "xmlns:content", ctext(NS_CONTENT));
        xw_attr(&x, "xmlns:dc", ctext(NS_DC));
        xw_start(&x, "channel");
        xw_elem(&x, "title", ctext(ch->title));
        xw_elem(&x, "link", url_of(&x.url, ctext(ch->link)));
        xw_elem(&x, "description", ctext(ch->description ? ch->description : ""));
        if (ch->language)
                xw_elem(&x, "language", ctext(ch->language));
        xw_elem(&x, "generator", ctext(GENERATOR));
        if (n)
                xw_elem(&x, "lastBuildDate", ctext(its[newest].mod822));
        xw_start(&x, "atom:link");
        xw_attr(&x, "href", url_of(&x.url, ctext(ch->rss_url)));
        xw_attr(&x, "rel", ctext("self"));
        xw_attr(&x, "type", ctext("application/rss+xml"));
        xw_end(&x);
        if (ch->icon) {
                xw_start(&x, "image");
                xw_elem(&x, "url", url_of(&x.url, ctext(ch->icon)));
                xw_elem(&x, "title", ctext(ch->title));
                xw_elem(&x, "link", url_of(&x.url, ctext(ch->link)));
                xw_end(&x);
        }
        for (size_t i = 0; i < n; i++)
                rss_item(&x, &its[i], &html);
        xw_end(&x); /* channel */
        xw_end(&x); /* rss */
        if (xw_finish(&x, out) < 0)
                goto fail;
        rc = 0;
        goto out;
fail:
        diag_error(d, NULL, 0, 0, "feed: libxml2 failed to write the RSS feed \"%s\"", ch->title);
out:
        xw_close(&x);
        buf_free(&html);
        free(its);
        return rc;
}

/* ---- Atom 1.0 ---- */

/* Writes one <entry>; channel_title is the author of last resort. */
static void atom_entry(struct xw *x, const struct item *it, const char *channel_title,
                       struct buf *html)
{
        xw_start(x, "entry");
        xw_elem(x, "id", url_of(&x->url, it->permalink));
        xw_elem(x, "title", it->title);
        xw_start(x, "link");
        xw_attr(x, "rel", ctext("alternate"));
        xw_attr(x, "type", ctext("text/html"));
        xw_attr(x, "href", url_of(&x->url, it->permalink));
        xw_end(x);
        xw_elem(x, "published", ctext(it->pub3339));
        xw_elem(x, "updated", ctext(it->mod3339));
        xw_start(x, "author");
        xw_elem(x, "name",
                it->author.s   ? it->author
                : it->source.s ? it->source
                               : ctext(channel_title));
        xw_end(x);
        size_t i;
        json_t *v;
        json_array_foreach(it->topics, i, v)
        {
                struct text slug = name_of(v, "slug"), name = name_of(v, "name");
                if (!slug.s)
                        slug = name;
                if (!slug.s)
                        continue;
                xw_start(x, "category");
                xw_attr(x, "term", slug);
                if (name.s)
                        xw_attr(x, "label", name);
                xw_end(x);
        }
        json_array_foreach(it->tags, i, v)
        {
                struct text name = name_of(v, "name");
                if (!name.s)
                        continue;
                xw_start(x, "category");
                xw_attr(x, "term", name);
                xw_end(x);
        }
        if (it->summary.n)
                xw_elem(x, "summary", it->summary);
        xw_start(x, "content");
        xw_attr(x, "type", ctext("html"));
        xw_text(x, item_html(it, html));
        xw_end(x);
        xw_end(x);
}

int feed_atom(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d)
{
        struct item *its = NULL;
        size_t n = 0, newest = 0;
        struct xw x = {0};
        struct buf html = {0};
        int rc = -1;

        if (channel_check(ch, "Atom", d) < 0)
                goto out;
        if (items_read(items, &its, &n, &newest, d) < 0)
                goto out;
        if (xw_open(&x) < 0)
                goto fail;
        xw_start(&x, "feed");
        xw_attr(&x, "xmlns", ctext(NS_ATOM));
        if (ch->language)
                xw_attr(&x, "xml:lang", ctext(ch->language));
        xw_elem(&x, "id", url_of(&x.url, ctext(ch->link)));
        xw_elem(&x, "title", ctext(ch->title));
        if (ch->description && *ch->description)
                xw_elem(&x, "subtitle", ctext(ch->description));
        xw_elem(&x, "updated", ctext(n ? its[newest].mod3339 : "1970-01-01T00:00:00Z"));
        if (ch->atom_url) {
                xw_start(&x, "link");
                xw_attr(&x, "rel", ctext("self"));
                xw_attr(&x, "type", ctext("application/atom+xml"));
                xw_attr(&x, "href", url_of(&x.url, ctext(ch->atom_url)));
                xw_end(&x);
        }
        xw_start(&x, "link");
        xw_attr(&x, "rel", ctext("alternate"));
        xw_attr(&x, "type", ctext("text/html"));
        xw_attr(&x, "href", url_of(&x.url, ctext(ch->link)));
        xw_end(&x);
        /* The feed's own author makes the feed valid even when it has no entries. */
        xw_start(&x, "author");
        xw_elem(&x, "name", ctext(ch->title));
        xw_end(&x);
        xw_elem(&x, "generator", ctext(GENERATOR));
        if (ch->icon)
                xw_elem(&x, "icon", url_of(&x.url, ctext(ch->icon)));
        for (size_t i = 0; i < n; i++)
                atom_entry(&x, &its[i], ch->title, &html);
        xw_end(&x); /* feed */
        if (xw_finish(&x, out) < 0)
                goto fail;
        rc = 0;
        goto out;
fail:
        diag_error(d, NULL, 0, 0, "feed: libxml2 failed to write the Atom feed \"%s\"", ch->title);
out:
        xw_close(&x);
        buf_free(&html);
        free(its);
        return rc;
}

/* ---- JSON Feed 1.1 ---- */

/* Sets obj[key] to t cleaned as for XML (so every feed carries the same text). Returns 0,
 * or -1 when jansson fails (out of memory). */
static int jset(json_t *obj, const char *key, struct text t, struct buf *tmp)
{
        buf_reset(tmp);
        clean_text(tmp, t.s ? t.s : "", t.n);
        return json_object_set_new(obj, key, json_stringn(buf_cstr(tmp), tmp->len));
}

/* Builds one item of the JSON Feed. Returns it (caller owns the reference), or NULL when
 * jansson fails. Children are attached before they are filled: jansson's *_new calls take
 * the reference even when they fail, so o is the only thing to release. */
static json_t *json_item(const struct item *it, struct buf *tmp, struct buf *html, struct buf *url)
{
        json_t *o = json_object(), *arr, *a, *v;
        size_t i;
        if (!o)
                return NULL;
        if (jset(o, "id", url_of(url, it->permalink), tmp) < 0 ||
            jset(o, "url", url_of(url, it->permalink), tmp) < 0 ||
            jset(o, "title", it->title, tmp) < 0 ||
            jset(o, "content_html", item_html(it, html), tmp) < 0)
                goto fail;
        if (it->summary.n && jset(o, "summary", it->summary, tmp) < 0)
                goto fail;
        if (it->image.s && jset(o, "image", url_of(url, it->image), tmp) < 0)
                goto fail;
        if (jset(o, "date_published", ctext(it->pub3339), tmp) < 0)
                goto fail;
        if (it->has_updated && jset(o, "date_modified", ctext(it->upd3339), tmp) < 0)
                goto fail;
        if (it->author.s) {
                if (json_object_set_new(o, "authors", arr = json_array()) < 0 ||
                    json_array_append_new(arr, a = json_object()) < 0 ||
                    jset(a, "name", it->author, tmp) < 0)
                        goto fail;
        }
        if (json_object_set_new(o, "tags", arr = json_array()) < 0)
                goto fail;
        json_array_foreach(it->tags, i, v)
        {
                struct text name = name_of(v, "name");
                if (!name.s)
                        continue;
                buf_reset(tmp);
                clean_text(tmp, name.s, name.n);
                if (json_array_append_new(arr, json_stringn(buf_cstr(tmp), tmp->len)) < 0)
                        goto fail;
        }
        if (!json_array_size(arr) && json_object_del(o, "tags") < 0)
                goto fail;
        return o;
fail:
        json_decref(o);
        return NULL;
}

int feed_json(const struct feed_channel *ch, json_t *items, struct buf *out, struct diag *d)
{
        struct item *its = NULL;
        size_t n = 0, newest = 0;
        struct buf tmp = {0}, html = {0}, url = {0};
        json_t *root = NULL, *arr = NULL;
        char *text = NULL;
        int rc = -1;

        if (channel_check(ch, "JSON", d) < 0)
                goto out;
        if (items_read(items, &its, &n, &newest, d) < 0)
                goto out;
        if (!(root = json_object()))
                goto fail;
        if (jset(root, "version", ctext(JSONFEED), &tmp) < 0 ||
            jset(root, "title", ctext(ch->title), &tmp) < 0 ||
            jset(root, "home_page_url", url_of(&url, ctext(ch->link)), &tmp) < 0)
                goto fail;
        if (ch->json_url && jset(root, "feed_url", url_of(&url, ctext(ch->json_url)), &tmp) < 0)
                goto fail;
        if (ch->description && *ch->description &&
            jset(root, "description", ctext(ch->description), &tmp) < 0)
                goto fail;
        if (ch->icon && jset(root, "icon", url_of(&url, ctext(ch->icon)), &tmp) < 0)
                goto fail;
        if (ch->language && jset(root, "language", ctext(ch->language), &tmp) < 0)
                goto fail;
        if (!(arr = json_array()) || json_object_set(root, "items", arr) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                json_t *o = json_item(&its[i], &tmp, &html, &url);
                if (!o || json_array_append_new(arr, o) < 0)
                        goto fail;
        }
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
                goto fail;
        buf_puts(out, text);
        buf_putc(out, '\n');
        rc = 0;
        goto out;
fail:
        diag_error(d, NULL, 0, 0, "feed: jansson failed to write the JSON Feed \"%s\"", ch->title);
out:
        free(text);
        json_decref(arr);
        json_decref(root);
        buf_free(&tmp);
        buf_free(&html);
        buf_free(&url);
        free(its);
        return rc;
}
