/* Unit tests for import: sentence ends, bylines and datelines, and whole pages split into
 * articles (headlines, joined sentences, repeats, captions, dates, refusals). The pages
 * here are made up for the tests. */
#include "check.h"

#include "diag.h"
#include "import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_end_kind(void)
{
        CHECK(import_end_kind("会议召开。") == 2, "end: full stop");
        CHECK(import_end_kind("真的吗？") == 2, "end: question mark");
        CHECK(import_end_kind("他说：“好。”") == 2, "end: stop inside a quote");
        CHECK(import_end_kind("（新华社发）") == 2, "end: closing bracket");
        CHECK(import_end_kind("实现了收入稳定与") == 0, "end: a character");
        CHECK(import_end_kind("项目预付金额达到12") == 0, "end: a digit");
        CHECK(import_end_kind("首先，") == 0, "end: comma");
        CHECK(import_end_kind("提出三项建议；") == 1, "end: semicolon is a pause");
        CHECK(import_end_kind("分为三类：") == 1, "end: colon is a pause");
        CHECK(import_end_kind("让群众安“薪”") == 1, "end: closing quote after a word");
        CHECK(import_end_kind("账户资金——") == 1, "end: dash");
        CHECK(import_end_kind("") == 1, "end: empty");
}

/* import_credit(line) as compact JSON, or "null". Caller frees. */
static char *credit(const char *line, int names_only)
{
        json_t *o = import_credit(line, names_only);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : strdup("null");
        json_decref(o);
        return s;
}

#define CHECK_CREDIT(line, names_only, want)                                                       \
        do {                                                                                       \
                char *got_ = credit((line), (names_only));                                         \
                CHECK_STR(got_, (want), "credit: " line);                                          \
                free(got_);                                                                        \
        } while (0)

static void test_credit(void)
{
        CHECK_CREDIT("□ 本报记者 王明远", 0, "{\"authors\":[\"王明远\"],\"kind\":\"byline\"}");
        CHECK_CREDIT("本报记者 林小禾 通讯员 周大川", 0,
                     "{\"authors\":[\"林小禾\",\"周大川\"],\"kind\":\"byline\"}");
        CHECK_CREDIT("新华社记者", 0, "{\"authors\":[],\"kind\":\"byline\",\"source\":\"新华社\"}");
        CHECK_CREDIT("新华社杭州3月8日电", 0,
                     "{\"authors\":[],\"day\":8,\"kind\":\"dateline\",\"month\":3,\"place\":"
                     "\"杭州\",\"source\":\"新华社\"}");
        CHECK_CREDIT("（新华社广州2022年7月1日电）", 0,
                     "{\"authors\":[],\"day\":1,\"kind\":\"dateline\",\"month\":7,\"place\":"
                     "\"广州\",\"source\":\"新华社\",\"year\":2022}");
        CHECK_CREDIT("新华社北京5月20日电 5月20日，会议在京召开。", 0,
                     "{\"authors\":[],\"day\":20,\"kind\":\"lead\",\"month\":5,\"place\":\"北京\","
                     "\"rest\":\"5月20日，会议在京召开。\",\"source\":\"新华社\"}");
        CHECK_CREDIT(
            "本报讯（记者 张远 李青）3月1日，会议召开。", 0,
            "{\"authors\":[\"张远\",\"李青\"],\"kind\":\"lead\",\"rest\":\"3月1日，会议召开"
            "。\"}");
        CHECK_CREDIT(
            "本报讯 记者王立新 1月4日，展会开幕。", 0,
            "{\"authors\":[\"王立新\"],\"kind\":\"lead\",\"rest\":\"1月4日，展会开幕。\"}");
        CHECK_CREDIT("本报讯（全媒体记者 刘一帆）近日，项目竣工。", 0,
                     "{\"authors\":[\"刘一帆\"],\"kind\":\"lead\",\"rest\":\"近日，项目竣工。\"}");
        CHECK_CREDIT("（据《江南晚报》）", 0,
                     "{\"authors\":[],\"kind\":\"source\",\"source\":\"江南晚报\"}");
        CHECK_CREDIT("（记者 赵一鸣 孙二娘）", 0,
                     "{\"authors\":[\"赵一鸣\",\"孙二娘\"],\"kind\":\"byline\"}");
        CHECK_CREDIT("新华社记者 钱多多 摄", 0,
                     "{\"authors\":[],\"kind\":\"photo\",\"source\":\"新华社\"}");
        CHECK_CREDIT("市博物馆供图", 0, "{\"authors\":[],\"kind\":\"photo\"}");
        CHECK_CREDIT("新华社发", 0, "{\"authors\":[],\"kind\":\"photo\",\"source\":\"新华社\"}");
        CHECK_CREDIT("郑晓东 何一苇", 1,
                     "{\"authors\":[\"郑晓东\",\"何一苇\"],\"guess\":true,\"kind\":\"byline\"}");
        CHECK_CREDIT("郑晓东 何一苇", 0, "null");
        CHECK_CREDIT("供水保障能力持续提升", 1, "null");
        CHECK_CREDIT("文明出行 你我同行", 1, "null");
        CHECK_CREDIT("医保基金运行平稳。新华社记者 王明远 摄", 0, "null");
}

/* Parses page with opts; returns the result (NULL on refusal) and the messages in *msgs. */
static json_t *parse(const char *page, const char *date, const char *source, char **msgs)
{
        struct import_opts o = {0};
        o.date = date;
        o.source = source;
        struct diag *d = diag_new();
        json_t *r = import_parse("page.txt", "page", page, strlen(page), &o, d);
        size_t n = 0;
        FILE *f = open_memstream(msgs, &n);
        if (!f) {
                printf("FAIL open_memstream\n");
                exit(1);
        }
        diag_flush(d, f);
        fclose(f);
        diag_free(d);
        return r;
}

static const char *field(json_t *page, size_t i, const char *key)
{
        return json_string_value(
            json_object_get(json_array_get(json_object_get(page, "articles"), i), key));
}

/* True when the article's list (changed, unsure) has a line containing s. */
static int listed(json_t *page, size_t i, const char *list, const char *s)
{
        json_t *l = json_object_get(json_array_get(json_object_get(page, "articles"), i), list);
        size_t k;
        json_t *v;
        json_array_foreach(l, k, v) if (strstr(json_string_value(v), s)) return 1;
        return 0;
}

static void test_page(void)
{
        const char *page = "\n"
                           "【春季专题】\n"
                           "\n"
                           "城东新区完成供水管网改造\n"
                           "\n"
                           "□ 本报记者 王明远\n"
                           "\n"
                           "城东新区今年完成供水管网改造四十公里,惠及三万户居民。\n"
                           "\n"
                           "改造前，老旧管道经常爆裂，居民反映水压不稳，夏季用水高峰时段\n"
                           "\n"
                           "高层住户常常停水。\n"
                           "\n"
                           "新区水务部门表示，明年将继续推进二次供水设施改造。\n"
                           "\n"
                           "新区水务部门表示，明年将继续推进二次供水设施改造。\n"
                           "\n"
                           "工人在新区主干道铺设供水管道。\n"
                           "本报记者 林小禾 摄\n"
                           "\n"
                           "时评\n"
                           "\n"
                           "让每一滴水都物尽其用\n"
                           "\n"
                           "□ 周大川\n"
                           "\n"
                           "节约用水是每个家庭都能参与的小事，也是关系长远的大事。\n"
                           "\n"
                           "新华社杭州3月8日电\n";
        char *msgs = NULL;
        json_t *r = parse(page, "2024-03-10", "城东日报", &msgs);
        CHECK(r != NULL, "page: parsed");
        if (!r) {
                printf("  %s\n", msgs);
                free(msgs);
                return;
        }
        CHECK(json_array_size(json_object_get(r, "articles")) == 2, "page: two articles");
        CHECK_STR(field(r, 0, "title"), "城东新区完成供水管网改造", "page: first title");
        CHECK_STR(field(r, 0, "author"), "王明远", "page: byline author");
        CHECK_STR(field(r, 0, "source"), "城东日报", "page: --source");
        CHECK_STR(field(r, 0, "date"), "2024-03-10T00:00:00+08:00", "page: --date");
        CHECK_STR(field(r, 0, "slug"), "page-1", "page: slug");
        CHECK_STR(field(r, 0, "body"),
                  "城东新区今年完成供水管网改造四十公里，惠及三万户居民。\n\n"
                  "改造前，老旧管道经常爆裂，居民反映水压不稳，夏季用水高峰时段高层住户常常停水。"
                  "\n\n"
                  "新区水务部门表示，明年将继续推进二次供水设施改造。\n\n"
                  "> 【图】工人在新区主干道铺设供水管道。（本报记者 林小禾 摄）\n",
                  "page: body joined, repeat dropped, caption a note, comma full width");
        CHECK(listed(r, 0, "changed", "lines 10 and 12: sentence broken across lines joined"),
              "page: join reported");
        CHECK(listed(r, 0, "changed", "column label “春季专题” made a tag"),
              "page: banner made a tag");
        json_t *dropped = json_object_get(r, "dropped");
        CHECK(json_array_size(dropped) == 1 &&
                  strstr(json_string_value(json_array_get(dropped, 0)),
                         "line 14: repeated paragraph dropped (the copy at line 16 is kept)"),
              "page: repeat reported");
        CHECK_STR(field(r, 1, "title"), "让每一滴水都物尽其用", "page: second title");
        CHECK_STR(field(r, 1, "author"), "周大川", "page: boxed byline without a keyword");
        CHECK_STR(field(r, 1, "source"), "新华社", "page: dateline source");
        CHECK_STR(field(r, 1, "region"), "杭州", "page: dateline place");
        CHECK_STR(field(r, 1, "date"), "2024-03-08T00:00:00+08:00",
                  "page: dateline date, year from --date");
        json_t *tags = json_object_get(json_array_get(json_object_get(r, "articles"), 1), "tags");
        CHECK(json_array_size(tags) == 1 &&
                  !strcmp(json_string_value(json_array_get(tags, 0)), "时评"),
              "page: column label made a tag");
        char *draft = import_draft(json_array_get(json_object_get(r, "articles"), 1));
        CHECK_STR(draft,
                  "---\ntitle: \"让每一滴水都物尽其用\"\ndate: 2024-03-08T00:00:00+08:00\n"
                  "source: \"新华社\"\nauthor: \"周大川\"\nregion: \"杭州\"\ntags: [\"时评\"]\n"
                  "slug: page-2\ndraft: true\n---\n\n"
                  "节约用水是每个家庭都能参与的小事，也是关系长远的大事。\n",
                  "page: draft file");
        free(draft);
        json_decref(r);
        free(msgs);
}

static void test_headlines(void)
{
        /* the layout put a headline over the wrong text and the right one at the end */
        const char *page = "市图书馆延长夜间开放时间\n"
                           "\n"
                           "本报记者 郑晓东\n"
                           "\n"
                           "春耕时节，南山村的田野里一片忙碌，农机手驾驶播种机来回作业。\n"
                           "\n"
                           "村里今年新添了六台播种机，春播进度比去年快了一周。\n"
                           "\n"
                           "本报讯 记者何一苇 4月2日，市图书馆宣布延长夜间开放时间，"
                           "周一至周五开放到晚上十点。\n"
                           "\n"
                           "图书馆负责人说，延长开放时间是为了方便下班后的读者。\n"
                           "\n"
                           "南山村春播进度快于往年\n";
        char *msgs = NULL;
        json_t *r = parse(page, "2024-04-03", "城东日报", &msgs);
        CHECK(r && json_array_size(json_object_get(r, "articles")) == 2, "headlines: two articles");
        if (r) {
                CHECK_STR(field(r, 0, "title"), "南山村春播进度快于往年",
                          "headlines: the one at the end matched to its text");
                CHECK_STR(field(r, 1, "title"), "市图书馆延长夜间开放时间",
                          "headlines: the one over the wrong text moved to its own");
                CHECK_STR(field(r, 1, "author"), "何一苇", "headlines: 本报讯 author");
                CHECK(listed(r, 0, "unsure", "stood away from this text"),
                      "headlines: the move is reported");
        }
        json_decref(r);
        free(msgs);
}

static void test_dates(void)
{
        const char *page = "村里通了公交车\n\n村民出行更方便了。\n";
        char *msgs = NULL;
        json_t *r = parse(page, NULL, NULL, &msgs);
        CHECK(r == NULL, "dates: refused without any date");
        CHECK(msgs &&
                  strstr(msgs, "page.txt:1:1: error: no date for the article “村里通了公交车”") &&
                  strstr(msgs, "--date"),
              "dates: the refusal says what to do");
        free(msgs);
        const char *dated = "村里通了公交车\n\n本报讯（记者 张远）2023年5月6日，村里通了公交车。\n";
        r = parse(dated, NULL, NULL, &msgs);
        CHECK(r && !strcmp(field(r, 0, "date"), "2023-05-06T00:00:00+08:00"),
              "dates: a date in the text");
        CHECK(r && listed(r, 0, "unsure", "taken from the first sentence"),
              "dates: a date from the text is to be checked");
        CHECK(r && listed(r, 0, "unsure", "no source found"), "dates: no source is reported");
        json_decref(r);
        free(msgs);
        r = parse(dated, "2023-05-07T09:30:00+08:00", NULL, &msgs);
        CHECK(r && !strcmp(field(r, 0, "date"), "2023-05-07T09:30:00+08:00"),
              "dates: --date wins over the text");
        json_decref(r);
        free(msgs);
        r = parse(dated, "yesterday", NULL, &msgs);
        CHECK(r == NULL && strstr(msgs, "--date 'yesterday'"), "dates: a bad --date is refused");
        free(msgs);
}

static void test_broken(void)
{
        const char *page = "标题在这里\n\n本报记者 张远\n\n## 井号开头的段落也要转义。\n\n"
                           "这一段在版面上没有写完，说到一半，后面的内容\n";
        char *msgs = NULL;
        json_t *r = parse(page, "2024-01-01", "报", &msgs);
        CHECK(r != NULL, "broken: parsed");
        if (r) {
                const char *body = field(r, 0, "body");
                CHECK(strstr(body, "这一段在版面上没有写完，说到一半，后面的内容\n\n> 【待核】") !=
                          NULL,
                      "broken: a paragraph whose rest is lost is marked");
                CHECK(strstr(body, "\\## 井号开头") != NULL, "broken: Markdown is escaped");
                CHECK(listed(r, 0, "unsure", "stops mid-sentence"), "broken: reported");
        }
        json_decref(r);
        free(msgs);
        r = parse("标题\n\n\xff\xfe\n", "2024-01-01", NULL, &msgs);
        CHECK(r == NULL && strstr(msgs, "invalid UTF-8"), "broken: bad UTF-8 refused");
        free(msgs);
}

int main(void)
{
        test_end_kind();
        test_credit();
        test_page();
        test_headlines();
        test_dates();
        test_broken();
        return check_exit();
}
