/* Unit tests for feed (RSS, Atom, JSON Feed, dates) and sitemap. Also writes a fixture's
 * feeds and sitemap into ../out/feed-fixture/ for tests/t_feed_fixture.sh. */
#include "check.h"

#include "buf.h"
#include "diag.h"
#include "feed.h"
#include "sitemap.h"

#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FIXTURE_DIR "../out/feed-fixture"

static const struct feed_channel site = {
    .title = "民生信息公开",
    .description = "民生领域政府信息公开 & 解读",
    .link = "https://example.org/portal/",
    .rss_url = "https://example.org/portal/feed.xml",
    .atom_url = "https://example.org/portal/atom.xml",
    .json_url = "https://example.org/portal/feed.json",
    .language = "zh-CN",
    .icon = "https://example.org/portal/static/icon.png",
};

/* A topic feed: no Atom or JSON URL, no icon, no description. */
static const struct feed_channel topic = {
    .title = "民生信息公开 · 医疗保障",
    .link = "https://example.org/portal/topics/medical-insurance/",
    .rss_url = "https://example.org/portal/topics/medical-insurance/feed.xml",
    .language = "zh-CN",
};

/* The fixture's well-behaved items, newest first. The second one was updated after the
 * first was published, so it decides lastBuildDate. */
static const char *const items_json =
    "["
    "{\"title\": \"2024年全国医保基金收支总体平稳\","
    " \"url\": \"articles/medical-fund-2024/\","
    " \"permalink\": \"https://example.org/portal/articles/medical-fund-2024/\","
    " \"date\": \"2025-01-20T10:00:00+08:00\", \"date_epoch\": 1737338400, \"date_offset\": 480,"
    " \"summary\": \"基金运行总体平稳。\","
    " \"author\": \"赵晨熙\", \"source\": \"法治日报\", \"region\": \"全国\","
    " \"topics\": [{\"slug\": \"medical-insurance\", \"name\": \"医疗保障\","
    "               \"url\": \"topics/medical-insurance/\"}],"
    " \"tags\": [{\"name\": \"医保基金\", \"url\": \"tags/%E5%8C%BB%E4%BF%9D%E5%9F%BA%E9%87%91/\"},"
    "            {\"name\": \"统计公报\", \"url\": \"tags/x/\"}],"
    " \"content_abs\": \"<p>全文 <a href=\\\"https://example.org/portal/data/\\\">数据</a></p>\","
    " \"image\": \"https://example.org/portal/media/fund.jpg\", \"image_alt\": \"柱状图\"},"
    "{\"title\": \"欠薪治理：春节前专项行动\","
    " \"url\": \"articles/wage-arrears/\","
    " \"permalink\": \"https://example.org/portal/articles/wage-arrears/\","
    " \"date\": \"2024-12-31T23:30:00-02:00\", \"date_epoch\": 1735695000, \"date_offset\": -120,"
    " \"updated\": \"2025-01-21T09:00:00+08:00\", \"updated_epoch\": 1737421200,"
    " \"updated_offset\": 480,"
    " \"summary\": \"\", \"source\": \"人民网\","
    " \"topics\": [{\"slug\": \"wage-arrears\", \"name\": \"欠薪治理\"}], \"tags\": [],"
    " \"content_abs\": \"<p>行动。</p>\"},"
    "{\"title\": \"最简单的条目\","
    " \"url\": \"articles/minimal/\","
    " \"permalink\": \"https://example.org/portal/articles/minimal/\","
    " \"date\": \"2024-03-10T08:15:00-05:30\"}"
    "]";

/* Parses json text that the test itself wrote; aborts the test on failure. */
static json_t *load(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);
        if (!j) {
                printf("FAIL fixture json: %s at %d:%d\n", err.text, err.line, err.column);
                exit(1);
        }
        return j;
}

/* The hostile item: XML-forbidden controls, "]]>", "</script>", & < >, U+FFFE, a
 * malformed UTF-8 byte and an embedded NUL (the last two only jansson's _nocheck calls
 * let in). */
static json_t *hostile_item(void)
{
        json_t *o = json_object();
        static const char title[] = "A & B <c> \x01\x02\x1b ]]> </script> \"q\" 'a'";
        static const char content[] =
            "<p>x ]]> y</p>\x0b<script>alert(1)</script>\xef\xbf\xbe <b>&amp;</b>";
        static const char bad_author[] = "Ann\xff\xc3 Lee\0tail";
        json_object_set_new(o, "title", json_stringn(title, sizeof title - 1));
        json_object_set_new(o, "permalink",
                            json_string("https://example.org/portal/articles/x/?a=1&b=%3C2%3E"));
        json_object_set_new(o, "date_epoch", json_integer(1735695000));
        json_object_set_new(o, "date_offset", json_integer(0));
        json_object_set_new(o, "summary", json_string("]]> & <tag> \x7f\xc2\x85 end"));
        json_object_set_new(o, "content_abs", json_stringn(content, sizeof content - 1));
        json_object_set_new(o, "author", json_stringn_nocheck(bad_author, sizeof bad_author - 1));
        json_object_set_new(o, "tags", json_pack("[{s:s}, s]", "name", "R&D <x>", "裸标签"));
        json_object_set_new(o, "topics", json_pack("[{s:s, s:s}]", "slug", "a&b", "name", "<&>"));
        json_object_set_new(o, "image", json_string("https://example.org/p.png?x=1&y=\"2\" 3"));
        return o;
}

/* Parses an XML document strictly (no network, no recovery) and returns it when it is
 * well-formed and namespace-well-formed; NULL otherwise. Caller frees with xmlFreeDoc. */
static xmlDocPtr parse_xml(const struct buf *b)
{
        xmlParserCtxtPtr ctx = xmlNewParserCtxt();
        xmlDocPtr doc;
        if (!ctx)
                return NULL;
        doc = xmlCtxtReadMemory(ctx, buf_cstr(b), (int)b->len, "feed.xml", NULL, XML_PARSE_NONET);
        if (doc && (!ctx->wellFormed || !ctx->nsWellFormed)) {
                xmlFreeDoc(doc);
                doc = NULL;
        }
        xmlFreeParserCtxt(ctx);
        return doc;
}

/* Returns the string value of an XPath expression over doc (caller frees with free()),
 * with the feeds' prefixes registered: a (Atom), content, dc, sm (sitemap). */
static char *xpath(xmlDocPtr doc, const char *expr)
{
        char *s = NULL;
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(ctx, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/Atom");
        xmlXPathRegisterNs(ctx, BAD_CAST "content",
                           BAD_CAST "http://purl.org/rss/1.0/modules/content/");
        xmlXPathRegisterNs(ctx, BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
        xmlXPathRegisterNs(ctx, BAD_CAST "sm",
                           BAD_CAST "http://www.sitemaps.org/schemas/sitemap/0.9");
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
        if (r) {
                xmlChar *v = xmlXPathCastToString(r);
                s = strdup((const char *)v);
                xmlFree(v);
                xmlXPathFreeObject(r);
        }
        xmlXPathFreeContext(ctx);
        return s ? s : strdup("(xpath failed)");
}

/* CHECK_STR on an XPath value. */
#define CHECK_XPATH(doc, expr, want, name)                                                         \
        do {                                                                                       \
                char *v_ = xpath((doc), (expr));                                                   \
                CHECK_STR(v_, (want), (name));                                                     \
                free(v_);                                                                          \
        } while (0)

/* Writes b to FIXTURE_DIR/name. */
static void save(const char *name, const struct buf *b)
{
        char path[256];
        snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, name);
        FILE *f = fopen(path, "wb");
        int ok = f && fwrite(buf_cstr(b), 1, b->len, f) == b->len;
        if (f && fclose(f) != 0)
                ok = 0;
        CHECK(ok, path);
}

static void test_dates(void)
{
        char s[FEED_DATE_MAX];
        long long e;
        int off;

        CHECK(feed_date_rfc822(1737338400, 480, s) == 0, "rfc822 +08:00 ok");
        CHECK_STR(s, "Mon, 20 Jan 2025 10:00:00 +0800", "rfc822 +08:00");
        CHECK(feed_date_rfc822(1710078300, -330, s) == 0, "rfc822 -05:30 ok");
        CHECK_STR(s, "Sun, 10 Mar 2024 08:15:00 -0530", "rfc822 -05:30");
        CHECK(feed_date_rfc822(951782400, 0, s) == 0, "rfc822 Z ok");
        CHECK_STR(s, "Tue, 29 Feb 2000 00:00:00 +0000", "rfc822 Z, leap day");
        CHECK(feed_date_rfc822(1735695000, -120, s) == 0, "rfc822 -02:00 ok");
        CHECK_STR(s, "Tue, 31 Dec 2024 23:30:00 -0200", "rfc822 -02:00 before the new year");
        CHECK(feed_date_rfc822(1735695000, 480, s) == 0, "rfc822 same instant +08:00 ok");
        CHECK_STR(s, "Wed, 01 Jan 2025 09:30:00 +0800", "rfc822 same instant after it");
        CHECK(feed_date_rfc822(-1, 0, s) == 0, "rfc822 before 1970 ok");
        CHECK_STR(s, "Wed, 31 Dec 1969 23:59:59 +0000", "rfc822 before 1970");
        CHECK(feed_date_rfc822(253402300799LL, 0, s) == 0, "rfc822 year 9999 ok");
        CHECK_STR(s, "Fri, 31 Dec 9999 23:59:59 +0000", "rfc822 year 9999");
        CHECK(feed_date_rfc822(253402300799LL, 60, s) < 0, "rfc822 year 10000 refused");
        CHECK(feed_date_rfc822(0, 24 * 60, s) < 0, "rfc822 offset of a day refused");
        CHECK(feed_date_rfc822(-9000000000000000000LL, 0, s) < 0, "rfc822 huge epoch refused");

        CHECK(feed_date_rfc3339(1737338400, 480, s) == 0, "rfc3339 ok");
        CHECK_STR(s, "2025-01-20T10:00:00+08:00", "rfc3339 +08:00");
        CHECK(feed_date_rfc3339(1710078300, -330, s) == 0, "rfc3339 -05:30 ok");
        CHECK_STR(s, "2024-03-10T08:15:00-05:30", "rfc3339 -05:30");
        CHECK(feed_date_rfc3339(0, 0, s) == 0, "rfc3339 Z ok");
        CHECK_STR(s, "1970-01-01T00:00:00Z", "rfc3339 Z");
        CHECK(feed_date_rfc3339(-62135596800LL, 0, s) == 0, "rfc3339 year 1 ok");
        CHECK_STR(s, "0001-01-01T00:00:00Z", "rfc3339 year 1");

        CHECK(feed_parse_rfc3339("2024-12-31T23:30:00-02:00", &e, &off) == 0 && e == 1735695000 &&
                  off == -120,
              "parse -02:00");
        CHECK(feed_parse_rfc3339("2025-01-20t10:00:00.125+08:00", &e, &off) == 0 &&
                  e == 1737338400 && off == 480,
              "parse fraction, lower-case t");
        CHECK(feed_parse_rfc3339("2000-02-29T00:00:00Z", &e, &off) == 0 && e == 951782400 &&
                  off == 0,
              "parse Z, leap day");
        CHECK(feed_parse_rfc3339("1900-02-29T00:00:00Z", &e, &off) < 0, "parse: 1900 not leap");
        CHECK(feed_parse_rfc3339("2025-02-29T00:00:00Z", &e, &off) < 0, "parse: 2025 not leap");
        CHECK(feed_parse_rfc3339("2025-01-20 10:00:00+08:00", &e, &off) < 0,
              "parse: space separator refused");
        CHECK(feed_parse_rfc3339("2025-01-20T10:00:00", &e, &off) < 0, "parse: no zone refused");
        CHECK(feed_parse_rfc3339("2025-01-20T10:00:00+0800", &e, &off) < 0,
              "parse: offset without colon refused");
        CHECK(feed_parse_rfc3339("2025-01-20T10:00:00Zjunk", &e, &off) < 0,
              "parse: trailing junk refused");
        CHECK(feed_parse_rfc3339("2025-13-01T00:00:00Z", &e, &off) < 0, "parse: month 13");
        CHECK(feed_parse_rfc3339("2025-01-20T24:00:00Z", &e, &off) < 0, "parse: hour 24");
        CHECK(feed_parse_rfc3339("2025-01-20", &e, &off) < 0, "parse: date only refused");
        CHECK(feed_parse_rfc3339("", &e, &off) < 0, "parse: empty refused");

        /* Property: for instants spread over years 1..9999, the UTC breakdown agrees with
         * gmtime_r (a locale-free C library reference) and format -> parse round-trips
         * in several zones. */
        int bad_gm = 0, bad_trip = 0;
        static const int zones[] = {0, 480, -330, -120, 345, -720, 840};
        for (long long t = -62135596800LL; t < 253402300799LL - 86400; t += 7919LL * 3607) {
                struct tm tm;
                time_t tt = (time_t)t;
                char want[FEED_DATE_MAX];
                if (!gmtime_r(&tt, &tm))
                        continue;
                snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                if (feed_date_rfc3339(t, 0, s) < 0 || strcmp(s, want))
                        bad_gm++;
                static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
                if (feed_date_rfc822(t, 0, s) < 0 || strncmp(s, wd[tm.tm_wday], 3))
                        bad_gm++;
                for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
                        if (feed_date_rfc3339(t, zones[z], s) < 0 ||
                            feed_parse_rfc3339(s, &e, &off) < 0 || e != t || off != zones[z])
                                bad_trip++;
                }
        }
        CHECK(bad_gm == 0, "dates agree with gmtime_r over years 1-9999");
        CHECK(bad_trip == 0, "rfc3339 format/parse round trip in 7 zones");
}

/* The fixture's items with the hostile one appended; caller decrefs. */
static json_t *fixture_items(void)
{
        json_t *items = load(items_json);
        json_array_append_new(items, hostile_item());
        return items;
}

static void test_rss(json_t *items)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        xmlDocPtr doc;

        CHECK(feed_rss(&site, items, &b, d) == 0 && diag_errors(d) == 0, "rss written");
        CHECK(!strncmp(buf_cstr(&b), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39),
              "rss xml declaration");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "rss well-formed with hostile strings");
        if (doc) {
                CHECK_XPATH(doc, "string(/rss/@version)", "2.0", "rss version");
                CHECK_XPATH(doc, "string(/rss/channel/title)", "民生信息公开", "rss title");
                CHECK_XPATH(doc, "string(/rss/channel/description)", "民生领域政府信息公开 & 解读",
                            "rss description");
                CHECK_XPATH(doc, "string(/rss/channel/language)", "zh-CN", "rss language");
                CHECK_XPATH(doc, "string(/rss/channel/generator)", "Gongbao", "rss generator");
                CHECK_XPATH(doc, "string(/rss/channel/lastBuildDate)",
                            "Tue, 21 Jan 2025 09:00:00 +0800",
                            "rss lastBuildDate = newest updated-or-date");
                CHECK_XPATH(doc, "string(/rss/channel/a:link[@rel='self']/@href)",
                            "https://example.org/portal/feed.xml", "rss atom:link self");
                CHECK_XPATH(doc, "string(/rss/channel/a:link/@type)", "application/rss+xml",
                            "rss atom:link type");
                CHECK_XPATH(doc, "string(/rss/channel/image/url)",
                            "https://example.org/portal/static/icon.png", "rss image");
                CHECK_XPATH(doc, "string(count(/rss/channel/item))", "4", "rss item count");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/guid)",
                            "https://example.org/portal/articles/medical-fund-2024/", "rss guid");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/guid/@isPermaLink)", "true",
                            "rss guid isPermaLink");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/pubDate)",
                            "Mon, 20 Jan 2025 10:00:00 +0800", "rss pubDate +08:00");
                CHECK_XPATH(doc, "string(/rss/channel/item[2]/pubDate)",
                            "Tue, 31 Dec 2024 23:30:00 -0200", "rss pubDate -02:00");
                CHECK_XPATH(doc, "string(/rss/channel/item[3]/pubDate)",
                            "Sun, 10 Mar 2024 08:15:00 -0530", "rss pubDate from date string");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/dc:creator)", "赵晨熙",
                            "rss dc:creator");
                CHECK_XPATH(doc, "string(count(/rss/channel/item[2]/dc:creator))", "0",
                            "rss no dc:creator without author");
                CHECK_XPATH(doc, "string(count(/rss/channel/item[1]/category))", "3",
                            "rss categories: topic + 2 tags");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/category[2])", "医保基金",
                            "rss tag category");
                CHECK_XPATH(doc, "string(/rss/channel/item[1]/content:encoded)",
                            "<p>全文 <a href=\"https://example.org/portal/data/\">数据</a></p>",
                            "rss content:encoded round-trips");
                CHECK_XPATH(doc, "string(/rss/channel/item[3]/description)", "",
                            "rss minimal item: empty description");
                CHECK_XPATH(doc, "string(/rss/channel/item[3]/content:encoded)", "",
                            "rss minimal item: empty content");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/title)",
                            "A & B <c>  ]]> </script> \"q\" 'a'", "rss hostile title cleaned");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/content:encoded)",
                            "<p>x ]]> y</p><script>alert(1)</script> <b>&amp;</b>",
                            "rss hostile content cleaned");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/description)",
                            "]]&gt; &amp; &lt;tag&gt;  end",
                            "rss hostile summary: DEL and C1 dropped");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/dc:creator)", "Ann Leetail",
                            "rss malformed UTF-8 and NUL dropped");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/link)",
                            "https://example.org/portal/articles/x/?a=1&b=%3C2%3E",
                            "rss link with &");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/category[2])", "R&D <x>",
                            "rss tag with & <");
                CHECK_XPATH(doc, "string(/rss/channel/item[4]/category[3])", "裸标签",
                            "rss tag given as a plain string");
                xmlFreeDoc(doc);
        }

        /* Byte-for-byte reproducible, and appended after what out held. */
        struct buf again = {0};
        buf_puts(&again, "PREFIX");
        CHECK(feed_rss(&site, items, &again, d) == 0, "rss written again");
        CHECK(again.len == b.len + 6 && !memcmp(again.data + 6, b.data, b.len) &&
                  !memcmp(again.data, "PREFIX", 6),
              "rss reproducible and appended");
        buf_free(&again);
        save("feed.xml", &b);

        /* The topic feed: no icon, no description. */
        buf_reset(&b);
        CHECK(feed_rss(&topic, items, &b, d) == 0, "topic rss written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "topic rss well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(count(/rss/channel/image))", "0", "topic rss no image");
                CHECK_XPATH(doc, "string(/rss/channel/description)", "",
                            "topic rss empty description");
                xmlFreeDoc(doc);
        }
        save("topic.xml", &b);
        buf_free(&b);
        diag_free(d);
}

static void test_atom(json_t *items)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        xmlDocPtr doc;

        CHECK(feed_atom(&site, items, &b, d) == 0 && diag_errors(d) == 0, "atom written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "atom well-formed with hostile strings");
        if (doc) {
                CHECK_XPATH(doc, "string(/a:feed/a:id)", "https://example.org/portal/",
                            "atom id = link");
                CHECK_XPATH(doc, "string(/a:feed/@xml:lang)", "zh-CN", "atom xml:lang");
                CHECK_XPATH(doc, "string(/a:feed/a:subtitle)", "民生领域政府信息公开 & 解读",
                            "atom subtitle");
                CHECK_XPATH(doc, "string(/a:feed/a:updated)", "2025-01-21T09:00:00+08:00",
                            "atom updated = newest updated-or-date");
                CHECK_XPATH(doc, "string(/a:feed/a:link[@rel='self']/@href)",
                            "https://example.org/portal/atom.xml", "atom self link");
                CHECK_XPATH(doc, "string(/a:feed/a:link[@rel='alternate']/@href)",
                            "https://example.org/portal/", "atom alternate link");
                CHECK_XPATH(doc, "string(/a:feed/a:generator)", "Gongbao", "atom generator");
                CHECK_XPATH(doc, "string(count(/a:feed/a:entry))", "4", "atom entry count");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:id)",
                            "https://example.org/portal/articles/medical-fund-2024/",
                            "atom entry id");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:published)",
                            "2025-01-20T10:00:00+08:00", "atom published");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:updated)",
                            "2025-01-20T10:00:00+08:00", "atom updated falls back to date");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[2]/a:published)",
                            "2024-12-31T23:30:00-02:00", "atom published -02:00");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[2]/a:updated)",
                            "2025-01-21T09:00:00+08:00", "atom updated");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:author/a:name)", "赵晨熙",
                            "atom author");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[2]/a:author/a:name)", "人民网",
                            "atom author falls back to source");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[3]/a:author/a:name)", "民生信息公开",
                            "atom author falls back to channel title");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:category[1]/@term)",
                            "medical-insurance", "atom topic term = slug");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:category[1]/@label)", "医疗保障",
                            "atom topic label = name");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:category[2]/@term)", "医保基金",
                            "atom tag term = name");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[1]/a:content/@type)", "html",
                            "atom content type");
                CHECK_XPATH(doc, "string(count(/a:feed/a:entry[2]/a:summary))", "0",
                            "atom no summary when empty");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[4]/a:category[1]/@term)", "a&b",
                            "atom hostile term");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[4]/a:content)",
                            "<p>x ]]> y</p><script>alert(1)</script> <b>&amp;</b>",
                            "atom hostile content cleaned");
                CHECK_XPATH(doc, "string(/a:feed/a:entry[4]/a:published)", "2025-01-01T01:30:00Z",
                            "atom published Z");
                xmlFreeDoc(doc);
        }
        save("atom.xml", &b);

        buf_reset(&b);
        CHECK(feed_atom(&topic, items, &b, d) == 0, "topic atom written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "topic atom well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(count(/a:feed/a:link[@rel='self']))", "0",
                            "topic atom: no self link without atom_url");
                CHECK_XPATH(doc, "string(count(/a:feed/a:subtitle))", "0",
                            "topic atom: no subtitle without description");
                xmlFreeDoc(doc);
        }
        buf_free(&b);
        diag_free(d);
}

static void test_json(json_t *items)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        json_error_t err;
        json_t *j, *it;

        CHECK(feed_json(&site, items, &b, d) == 0 && diag_errors(d) == 0, "json written");
        CHECK(b.len && b.data[b.len - 1] == '\n', "json ends with a newline");
        CHECK(strstr(buf_cstr(&b), "医保基金") != NULL, "json keeps UTF-8 unescaped");
        j = json_loads(buf_cstr(&b), 0, &err);
        CHECK(j != NULL, "json parses back");
        if (j) {
                CHECK_STR(json_string_value(json_object_get(j, "version")),
                          "https://jsonfeed.org/version/1.1", "json version");
                CHECK_STR(json_string_value(json_object_get(j, "feed_url")),
                          "https://example.org/portal/feed.json", "json feed_url");
                CHECK_STR(json_string_value(json_object_get(j, "home_page_url")),
                          "https://example.org/portal/", "json home_page_url");
                CHECK_STR(json_string_value(json_object_get(j, "language")), "zh-CN",
                          "json language");
                json_t *arr = json_object_get(j, "items");
                CHECK(json_array_size(arr) == 4, "json item count");
                it = json_array_get(arr, 0);
                CHECK_STR(json_string_value(json_object_get(it, "id")),
                          "https://example.org/portal/articles/medical-fund-2024/", "json id");
                CHECK_STR(json_string_value(json_object_get(it, "date_published")),
                          "2025-01-20T10:00:00+08:00", "json date_published");
                CHECK(json_object_get(it, "date_modified") == NULL,
                      "json no date_modified without updated");
                CHECK_STR(json_string_value(json_object_get(
                              json_array_get(json_object_get(it, "authors"), 0), "name")),
                          "赵晨熙", "json authors");
                CHECK_STR(json_string_value(json_array_get(json_object_get(it, "tags"), 1)),
                          "统计公报", "json tags");
                CHECK_STR(json_string_value(json_object_get(it, "image")),
                          "https://example.org/portal/media/fund.jpg", "json image");
                it = json_array_get(arr, 1);
                CHECK_STR(json_string_value(json_object_get(it, "date_modified")),
                          "2025-01-21T09:00:00+08:00", "json date_modified");
                CHECK(json_object_get(it, "authors") == NULL &&
                          json_object_get(it, "tags") == NULL &&
                          json_object_get(it, "summary") == NULL,
                      "json optional fields absent");
                it = json_array_get(arr, 2);
                CHECK_STR(json_string_value(json_object_get(it, "content_html")), "",
                          "json minimal item has content_html");
                it = json_array_get(arr, 3);
                CHECK_STR(json_string_value(json_object_get(it, "title")),
                          "A & B <c>  ]]> </script> \"q\" 'a'", "json hostile title cleaned");
                CHECK_STR(json_string_value(json_object_get(it, "image")),
                          "https://example.org/p.png?x=1&y=%222%22%203", "json image URL escaped");
                json_decref(j);
        }
        save("feed.json", &b);

        buf_reset(&b);
        CHECK(feed_json(&topic, items, &b, d) == 0, "topic json written");
        j = json_loads(buf_cstr(&b), 0, &err);
        CHECK(j && !json_object_get(j, "feed_url") && !json_object_get(j, "description"),
              "topic json: no feed_url or description");
        json_decref(j);
        buf_free(&b);
        diag_free(d);
}

static void test_empty(void)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        json_t *none = json_array();
        xmlDocPtr doc;

        CHECK(feed_rss(&site, none, &b, d) == 0, "empty rss written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "empty rss well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(count(/rss/channel/lastBuildDate))", "0",
                            "empty rss: no lastBuildDate");
                CHECK_XPATH(doc, "string(count(/rss/channel/item))", "0", "empty rss: no items");
                xmlFreeDoc(doc);
        }
        save("empty-feed.xml", &b);
        buf_reset(&b);
        CHECK(feed_atom(&site, none, &b, d) == 0, "empty atom written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "empty atom well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(/a:feed/a:updated)", "1970-01-01T00:00:00Z",
                            "empty atom: updated is the epoch");
                CHECK_XPATH(doc, "string(/a:feed/a:author/a:name)", "民生信息公开",
                            "empty atom: feed author");
                xmlFreeDoc(doc);
        }
        save("empty-atom.xml", &b);
        buf_reset(&b);
        CHECK(feed_json(&site, none, &b, d) == 0, "empty json written");
        CHECK(strstr(buf_cstr(&b), "\"items\": []") != NULL, "empty json: items []");
        save("empty-feed.json", &b);
        CHECK(diag_errors(d) == 0, "empty feeds: no errors");
        json_decref(none);
        buf_free(&b);
        diag_free(d);
}

/* Runs all three writers on items, expecting each to fail, report and leave out alone. */
static void expect_fail(const struct feed_channel *ch, const char *items_text, const char *name)
{
        json_t *items = items_text ? load(items_text) : NULL;
        char label[160];
        int (*const writers[3])(const struct feed_channel *, json_t *, struct buf *,
                                struct diag *) = {feed_rss, feed_atom, feed_json};
        static const char *const kinds[3] = {"rss", "atom", "json"};
        for (int w = 0; w < 3; w++) {
                struct buf b = {0};
                struct diag *d = diag_new();
                buf_puts(&b, "keep");
                int rc = writers[w](ch, items, &b, d);
                snprintf(label, sizeof label, "%s %s: fails, reports, leaves out alone", kinds[w],
                         name);
                CHECK(rc == -1 && diag_errors(d) == 1 && !strcmp(buf_cstr(&b), "keep"), label);
                diag_free(d);
                buf_free(&b);
        }
        json_decref(items);
}

static void test_errors(void)
{
        expect_fail(&site, "[{\"permalink\": \"https://x.org/a/\", \"date_epoch\": 0}]",
                    "no title");
        expect_fail(&site, "[{\"title\": \"t\", \"date_epoch\": 0}]", "no permalink");
        expect_fail(&site, "[{\"title\": \"t\", \"permalink\": \"https://x.org/a/\"}]", "no date");
        expect_fail(&site,
                    "[{\"title\": \"t\", \"permalink\": \"https://x.org/a/\","
                    " \"date\": \"yesterday\"}]",
                    "malformed date");
        expect_fail(&site,
                    "[{\"title\": \"t\", \"permalink\": \"https://x.org/a/\", \"date_epoch\": 0,"
                    " \"date_offset\": 5000}]",
                    "offset out of range");
        expect_fail(&site,
                    "[{\"title\": \"t\", \"permalink\": \"https://x.org/a/\", \"date_epoch\": 0,"
                    " \"updated\": \"soon\"}]",
                    "malformed updated");
        expect_fail(&site,
                    "[{\"title\": \"t\", \"permalink\": \"https://x.org/a/\","
                    " \"date_epoch\": 999999999999999}]",
                    "date beyond 9999");
        expect_fail(&site, "[42]", "item not an object");
        expect_fail(&site, "{}", "items not an array");
        expect_fail(&site, NULL, "items NULL");
        struct feed_channel bad = site;
        bad.link = NULL;
        expect_fail(&bad, "[]", "channel without link");

        struct buf b = {0};
        struct diag *d = diag_new();
        json_t *none = json_array();
        bad = site;
        bad.rss_url = NULL;
        CHECK(feed_rss(&bad, none, &b, d) == -1 && diag_errors(d) == 1 && b.len == 0,
              "rss needs rss_url");
        CHECK(feed_atom(&bad, none, &b, d) == 0 && feed_json(&bad, none, &b, d) == 0,
              "atom and json do not");
        json_decref(none);
        buf_free(&b);
        diag_free(d);
}

/* URLs are escaped the same way in every feed; an unsafe image is left out. */
static void test_urls(void)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        json_t *items = load("[{\"title\": \"t\", \"permalink\": \"https://x.org/文章 1/\","
                             " \"date_epoch\": 0, \"image\": \" javascript:alert(1)\"}]");
        xmlDocPtr doc;

        CHECK(feed_rss(&site, items, &b, d) == 0, "url rss written");
        doc = parse_xml(&b);
        if (doc) {
                CHECK_XPATH(doc, "string(/rss/channel/item/guid)",
                            "https://x.org/%E6%96%87%E7%AB%A0%201/", "rss guid percent-encoded");
                xmlFreeDoc(doc);
        }
        buf_reset(&b);
        CHECK(feed_atom(&site, items, &b, d) == 0, "url atom written");
        doc = parse_xml(&b);
        if (doc) {
                CHECK_XPATH(doc, "string(/a:feed/a:entry/a:id)",
                            "https://x.org/%E6%96%87%E7%AB%A0%201/", "atom id percent-encoded");
                xmlFreeDoc(doc);
        }
        buf_reset(&b);
        CHECK(feed_json(&site, items, &b, d) == 0, "url json written");
        json_t *j = json_loads(buf_cstr(&b), 0, NULL);
        json_t *it = json_array_get(json_object_get(j, "items"), 0);
        CHECK_STR(json_string_value(json_object_get(it, "id")),
                  "https://x.org/%E6%96%87%E7%AB%A0%201/", "json id percent-encoded");
        CHECK(it && !json_object_get(it, "image"), "json javascript: image left out");
        json_decref(j);
        json_decref(items);
        buf_free(&b);
        diag_free(d);
}

/* What sitemap_write_split emitted: each file's name and bytes, in order. */
struct emitted {
        char names[8][32];
        struct buf bytes[8];
        size_t n;
        size_t fail_at; /* emit fails for this file (1-based), 0: never */
};

static int emit_one(void *ctx, const char *name, const struct buf *bytes)
{
        struct emitted *e = ctx;
        if (e->n == 8 || e->n + 1 == e->fail_at)
                return -1;
        snprintf(e->names[e->n], sizeof e->names[e->n], "%s", name);
        buf_put(&e->bytes[e->n], bytes->data, bytes->len);
        e->n++;
        return 0;
}

static void emitted_free(struct emitted *e)
{
        for (size_t i = 0; i < 8; i++)
                buf_free(&e->bytes[i]);
}

/* Five entries with at most two per file: three parts and an index of them; with room
 * for all five, one sitemap.xml as sitemap_write makes it. */
static void test_sitemap_split(const struct sitemap_url *entries)
{
        struct diag *d = diag_new();
        struct emitted e = {0};
        CHECK(sitemap_write_split(entries, 5, 2, "https://example.org/portal/", emit_one, &e, d) ==
                      0 &&
                  diag_errors(d) == 0 && diag_warnings(d) == 0,
              "split sitemap written, no warning");
        CHECK(e.n == 4 && !strcmp(e.names[0], "sitemap-1.xml") &&
                  !strcmp(e.names[2], "sitemap-3.xml") && !strcmp(e.names[3], "sitemap.xml"),
              "split sitemap: three parts, then the index");
        xmlDocPtr doc = e.n == 4 ? parse_xml(&e.bytes[3]) : NULL;
        CHECK(doc != NULL, "sitemap index well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(count(/sm:sitemapindex/sm:sitemap))", "3",
                            "sitemap index lists three parts");
                CHECK_XPATH(doc, "string(/sm:sitemapindex/sm:sitemap[2]/sm:loc)",
                            "https://example.org/portal/sitemap-2.xml", "sitemap index: part URL");
                xmlFreeDoc(doc);
        }
        doc = e.n == 4 ? parse_xml(&e.bytes[2]) : NULL;
        if (doc) {
                CHECK_XPATH(doc, "string(count(/sm:urlset/sm:url))", "1", "last part: the rest");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[1]/sm:loc)",
                            "https://example.org/portal/%E6%A0%87%E7%AD%BE/",
                            "last part: the fifth entry");
                xmlFreeDoc(doc);
        } else {
                CHECK(0, "last part well-formed");
        }
        if (e.n == 4) {
                save("sitemap-index.xml", &e.bytes[3]);
                save("sitemap-part.xml", &e.bytes[0]);
        }
        emitted_free(&e);

        struct emitted one = {0};
        struct buf whole = {0};
        CHECK(sitemap_write_split(entries, 5, 5, "https://example.org/portal/", emit_one, &one,
                                  d) == 0 &&
                  one.n == 1 && !strcmp(one.names[0], "sitemap.xml") &&
                  sitemap_write(entries, 5, &whole, d) == 0 && whole.len == one.bytes[0].len &&
                  !memcmp(whole.data, one.bytes[0].data, whole.len),
              "unsplit: one sitemap.xml, as sitemap_write writes it");
        buf_free(&whole);
        emitted_free(&one);

        struct emitted failing = {.fail_at = 2};
        CHECK(sitemap_write_split(entries, 5, 2, "https://example.org/portal/", emit_one, &failing,
                                  d) == -1 &&
                  failing.n == 1,
              "split sitemap stops when a part cannot be written");
        emitted_free(&failing);
        diag_free(d);
}

static void test_sitemap(void)
{
        struct buf b = {0};
        struct diag *d = diag_new();
        static const struct sitemap_url entries[] = {
            {"https://example.org/portal/", "2025-01-21T09:00:00+08:00"},
            {"https://example.org/portal/articles/medical-fund-2024/", "2025-01-20"},
            {"https://example.org/portal/tags/%E5%8C%BB%E4%BF%9D/", NULL},
            {"https://example.org/portal/search/?q=a&b=c d", "2024-12-31t23:30:00.5z"},
            {"https://example.org/portal/标签/", ""},
        };
        xmlDocPtr doc;

        CHECK(sitemap_write(entries, 5, &b, d) == 0 && diag_errors(d) == 0, "sitemap written");
        doc = parse_xml(&b);
        CHECK(doc != NULL, "sitemap well-formed");
        if (doc) {
                CHECK_XPATH(doc, "string(count(/sm:urlset/sm:url))", "5", "sitemap url count");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[1]/sm:lastmod)",
                            "2025-01-21T09:00:00+08:00", "sitemap lastmod date-time");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[2]/sm:lastmod)", "2025-01-20",
                            "sitemap lastmod date");
                CHECK_XPATH(doc, "string(count(/sm:urlset/sm:url[3]/sm:lastmod))", "0",
                            "sitemap lastmod absent");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[4]/sm:loc)",
                            "https://example.org/portal/search/?q=a&b=c%20d",
                            "sitemap loc: & kept, space encoded");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[4]/sm:lastmod)", "2024-12-31T23:30:00Z",
                            "sitemap lastmod made canonical");
                CHECK_XPATH(doc, "string(/sm:urlset/sm:url[5]/sm:loc)",
                            "https://example.org/portal/%E6%A0%87%E7%AD%BE/",
                            "sitemap loc: non-ASCII percent-encoded");
                CHECK_XPATH(doc, "string(count(/sm:urlset/sm:url[5]/sm:lastmod))", "0",
                            "sitemap lastmod empty: absent");
                xmlFreeDoc(doc);
        }
        CHECK(strstr(buf_cstr(&b), "?q=a&amp;b=c%20d") != NULL, "sitemap & escaped as &amp;");
        save("sitemap.xml", &b);

        static const struct sitemap_url bad[] = {
            {"/portal/", NULL},
            {"javascript:alert(1)", NULL},
            {NULL, "2025-01-20"},
            {"https://x.org/", "2025-02-30"},
            {"https://x.org/", "2025-01-20T10:00"},
            {"https://x.org/", "20250120"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct diag *d2 = diag_new();
                struct buf o = {0};
                char label[200];
                snprintf(label, sizeof label, "sitemap refuses loc %s lastmod %s",
                         bad[i].loc ? bad[i].loc : "(none)",
                         bad[i].lastmod ? bad[i].lastmod : "(none)");
                CHECK(sitemap_write(&bad[i], 1, &o, d2) == -1 && diag_errors(d2) == 1 && o.len == 0,
                      label);
                buf_free(&o);
                diag_free(d2);
        }
        /* the second of two bad entries is not reached: one error */
        struct diag *d3 = diag_new();
        struct buf o3 = {0};
        CHECK(sitemap_write(bad, 2, &o3, d3) == -1 && diag_errors(d3) == 1 && o3.len == 0,
              "sitemap stops at its first bad entry");
        buf_free(&o3);
        diag_free(d3);

        test_sitemap_split(entries);

        buf_reset(&b);
        CHECK(sitemap_robots("https://example.org/portal/sitemap.xml", &b) == 0, "robots ok");
        CHECK_STR(buf_cstr(&b),
                  "User-agent: *\nAllow: /\n\nSitemap: https://example.org/portal/sitemap.xml\n",
                  "robots text");
        save("robots.txt", &b);
        buf_reset(&b);
        CHECK(sitemap_robots("https://x.org/s.xml\nDisallow: /", &b) == -1 && b.len == 0,
              "robots refuses a line break");
        CHECK(sitemap_robots(NULL, &b) == -1 && sitemap_robots("", &b) == -1,
              "robots refuses NULL and empty");
        buf_free(&b);
        diag_free(d);
}

int main(void)
{
        if (mkdir("../out", 0777) != 0 && errno != EEXIST)
                perror("../out");
        if (mkdir(FIXTURE_DIR, 0777) != 0 && errno != EEXIST)
                perror(FIXTURE_DIR);

        test_dates();
        json_t *items = fixture_items();
        test_rss(items);
        test_atom(items);
        test_json(items);
        json_decref(items);
        test_empty();
        test_errors();
        test_urls();
        test_sitemap();
        xmlCleanupParser();
        return check_exit();
}
