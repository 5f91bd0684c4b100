#!/usr/bin/python3
"""Deterministic synthetic corpus for Gongbao's benchmark and search tests.

    /usr/bin/python3 bench/corpus.py OUT_DIR N

writes OUT_DIR/site.yaml (title, base_url, 8 topics) and N articles under
OUT_DIR/articles/<year>/<slug>.md: Chinese (about four in five) and English Markdown bodies
of 4-6 KB with headings, paragraphs, lists, links to other articles of the corpus,
blockquotes and code, built from a vocabulary of public-information terms (社会保险,
养老保险, 农民工, 拖欠工资, 医保基金, ...). The same N always gives the same bytes: the
random numbers come from a seeded splitmix64 of our own, not from the random module, so
the output does not depend on the Python version.

It also writes 20 datasets, Frictionless Data Packages under OUT_DIR/data/<name>/
(datapackage.json and one or two CSV files; year, month, day, region or category columns
with 1-3 numeric series; 2 to 2,000 rows; bar, hbar, grouped, stacked and line charts),
and every 20th article (exactly 5 % when 20 divides N) embeds one of them with a ```chart
block after one of its paragraphs, about half of those also with a small ```table block, and
names it in `datasets:`. Those blocks use an Rng of their own, so every article reads
exactly as it did before charts were added, apart from the inserted block and that line.

Each body block type has its own function (BLOCKS below); a new block type is one more
function and one more entry in that table.
"""
import csv
import datetime
import io
import json
import os
import sys

SEED = 20240601
MASK = (1 << 64) - 1
MIN_BODY, MAX_BODY = 4096, 6144  # body bytes (UTF-8)
ZH_SHARE = 80  # percent of articles written in Chinese


class Rng:
    """splitmix64: small, fast, and the same on every platform."""

    def __init__(self, *seed):
        s = SEED
        for x in seed:
            s = (s * 0x9E3779B97F4A7C15 + x + 1) & MASK
        self.s = s

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def sample(self, seq, k):
        pool = list(seq)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self.below(len(pool))))
        return out

    def chance(self, percent):
        return self.below(100) < percent


TOPICS = [
    ("medical-insurance", "医疗保障", "医保基金收支与监管、异地就医直接结算与个人账户共济。", "Medical insurance"),
    ("wage-arrears", "欠薪治理", "根治拖欠农民工工资的专项行动与制度建设。", "Wage arrears"),
    ("social-insurance", "社会保险", "养老保险、失业保险、工伤保险的参保与待遇。", "Social insurance"),
    ("employment", "就业服务", "稳就业政策、技能培训与公共就业服务。", "Employment"),
    ("social-assistance", "社会救助", "低保、特困人员供养与临时救助。", "Social assistance"),
    ("rule-of-law", "法治建设", "公共法律服务、执法监督与依法治理。", "Rule of law"),
    ("rural-development", "乡村振兴", "驻村帮扶、农村饮水与特色产业。", "Rural development"),
    ("health-services", "医疗卫生", "基层医疗、家庭医生签约与医院能力建设。", "Health services"),
]

# Domain terms by topic (same order as TOPICS): an article draws most of its terms from
# its own topic, as a real portal's articles do, and some from the others.
TOPIC_TERMS = [
    ["医保基金", "医疗保险", "异地就医", "直接结算", "个人账户", "门诊共济", "医保目录", "药品集中带量采购",
     "欺诈骗保", "定点医药机构", "职工医保", "城乡居民医保", "大病保险"],
    ["农民工", "拖欠工资", "根治欠薪", "工资保证金", "农民工工资专用账户", "实名制管理", "施工总承包单位",
     "工程建设领域", "欠薪线索", "失信联合惩戒", "劳动保障监察", "劳动合同"],
    ["社会保险", "养老保险", "失业保险", "工伤保险", "基本养老金", "养老保险全国统筹", "退休人员",
     "参保缴费", "待遇领取", "社会保障卡", "电子社保卡", "长期护理保险"],
    ["技能培训", "公共就业服务", "就业补助资金", "稳岗返还", "高校毕业生", "灵活就业人员", "新就业形态",
     "最低工资标准", "创业担保贷款", "职业技能等级认定"],
    ["最低生活保障", "特困人员", "临时救助", "低保边缘家庭", "残疾人两项补贴", "困难群众", "社会救助",
     "防止返贫", "养老服务", "儿童福利"],
    ["公共法律服务", "法律援助", "人民调解", "劳动仲裁", "行政执法", "普法宣传", "矛盾纠纷", "公证服务",
     "法治政府", "行政复议"],
    ["农村饮水安全", "驻村帮扶", "乡村振兴", "产业帮扶", "集体经济", "和美乡村", "农村公路", "高标准农田",
     "易地搬迁", "消费帮扶"],
    ["家庭医生签约", "基层医疗卫生机构", "医共体", "分级诊疗", "优质医疗资源", "公立医院", "乡镇卫生院",
     "村卫生室", "健康档案", "清廉医院"],
]
TERMS = [t for ts in TOPIC_TERMS for t in ts]
OWN_TOPIC = 88  # percent of term slots filled from the article's own topic

TAGS = [
    "养老金调整", "医保报销", "异地就医", "欠薪维权", "工资支付", "劳动仲裁", "社保转移", "失业金",
    "工伤认定", "生育津贴", "灵活就业", "新业态", "技能补贴", "就业见习", "高校毕业生", "返乡创业",
    "低保标准", "临时救助", "特困供养", "残疾人补贴", "高龄津贴", "养老服务", "托育服务", "长护险",
    "集采药品", "医保目录", "门诊慢特病", "家庭医生", "分级诊疗", "医共体", "基金监管", "飞行检查",
    "打击骗保", "信用惩戒", "法律援助", "人民调解", "公证服务", "普法宣传", "农村饮水", "驻村干部",
    "产业帮扶", "消费帮扶", "易地搬迁", "防止返贫", "公积金提取", "公积金贷款", "个税汇算", "电子社保卡",
    "跨省通办", "一网通办", "数据公开", "统计公报", "政策解读", "答记者问", "典型案例", "曝光台",
    "民生实事", "基层治理", "regulation", "open-data",
]

REGIONS = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "上海", "江苏", "浙江", "安徽", "福建",
           "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
           "云南", "陕西", "甘肃", "青海", "宁夏", "新疆"]
AGENCIES = ["人力资源社会保障部", "国家医保局", "民政部", "国家卫生健康委", "司法部", "财政部",
            "住房城乡建设部", "国家税务总局", "农业农村部", "水利部"]
LOCAL = ["人社局", "医保局", "民政局", "卫健委", "司法局", "税务局", "住建局", "劳动保障监察支队"]
SOURCES = ["新华社", "人民日报", "中国劳动保障报", "中国医疗保险", "央视新闻", "光明日报", "经济日报",
           "工人日报", "法治日报", "农民日报"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
VERBS = ["印发", "出台", "部署", "推进", "开展", "完善", "落实", "启动", "通报", "公布"]
ACTIONS = ["专项行动", "实施意见", "工作方案", "管理办法", "考核办法", "服务清单", "监督检查", "集中整治"]
OBJECTS = ["参保人员", "农民工", "退休人员", "困难群众", "用人单位", "定点医疗机构", "施工企业",
           "高校毕业生", "灵活就业人员", "村民"]
UNITS = ["万人", "亿元", "万元", "个统筹区", "家企业", "个项目", "人次", "件"]

ZH_SENTENCES = [
    "{year}年{m}月，{region}{local}围绕{term}{verb}{action}，覆盖{obj}{n}{unit}。",
    "据{source}报道，{agency}近日{verb}关于{term}的{action}，要求各地在{month}个月内完成排查。",
    "截至{year}年底，全国{term}累计惠及{obj}{n}{unit}，比上年增长{pct}%。",
    "{region}把{term}和{term2}结合起来，为{obj}提供“一站式”服务。",
    "“过去办理{term}要跑好几趟，现在手机上就能办。”{person}说。",
    "对{term}中发现的问题，{local}建立台账、限期整改，整改率达到{pct}%。",
    "{agency}有关负责人表示，下一步将继续加强{term}，确保{term2}平稳运行。",
    "在{region}，{obj}可以通过社会保障卡办理{term}，平均用时缩短到{n}分钟。",
    "今年以来，{region}共查处{term}案件{n}件，追回资金{money}万元。",
    "针对{term}，{region}{local}推出{n}项便民措施，其中{term2}最受{obj}欢迎。",
    "专家认为，{term}关系千家万户，需要把{term2}作为重点持续推进。",
    "{year}年，{region}{term}基金收入{money}亿元、支出{money2}亿元，当期结余保持稳定。",
    "记者在{region}一家{place}看到，{obj}排队办理{term}的情况明显减少。",
    "按照{action}要求，{region}对{n}个{place}开展{term}专项检查。",
]
PLACES = ["服务大厅", "工地", "社区服务站", "定点医院", "乡镇卫生院", "村委会", "产业园区", "仲裁院"]
CITIES = ["石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌",
          "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明", "西安", "兰州",
          "西宁", "银川", "乌鲁木齐", "苏州", "无锡", "宁波", "温州", "义乌", "金华", "眉山", "乌兰察布",
          "张家界", "大同", "保定", "邯郸", "洛阳", "宜昌", "岳阳", "佛山", "东莞", "柳州", "遵义", "曲靖",
          "宝鸡", "天水", "喀什", "延边", "赣州", "泉州", "潍坊", "徐州", "南通", "绍兴", "芜湖", "襄阳"]
NOUNS = ["工作", "群众", "服务", "制度", "机制", "政策", "措施", "项目", "企业", "单位", "部门", "平台",
         "系统", "数据", "信息", "标准", "资金", "费用", "待遇", "补贴", "水平", "质量", "效率", "能力",
         "体系", "环境", "条件", "问题", "风险", "隐患", "责任", "任务", "目标", "成效", "经验", "做法",
         "渠道", "窗口", "流程", "材料", "手续", "证明", "档案", "合同", "协议", "工程", "园区", "社区",
         "乡镇", "村庄", "家庭", "老人", "儿童", "学生", "患者", "医生", "教师", "职工", "干部", "律师",
         "法官", "专家", "代表", "委员", "市民", "居民", "农户", "商户", "网格员", "志愿者", "热线", "台账",
         "清单", "考核", "监督", "预警", "信用", "诉求", "办件", "事项", "网点", "驿站", "基金", "账户",
         "额度", "比例", "期限", "门槛", "范围", "对象", "名单", "线索", "案件", "纠纷", "调解", "培训",
         "岗位", "技能", "收入", "支出", "结余", "预算", "审计", "统计", "报表", "公告", "通知", "意见"]
VERBS2 = ["推进", "加强", "完善", "落实", "优化", "提升", "扩大", "简化", "规范", "健全", "建立", "实施",
          "开展", "组织", "协调", "督促", "指导", "检查", "核查", "排查", "整改", "化解", "解决", "维护",
          "支持", "鼓励", "引导", "推动", "深化", "探索", "创新", "推广", "覆盖", "惠及", "缩短", "减少",
          "降低", "提高", "增加", "发放", "办理", "申请", "审核", "受理", "查处", "追回", "公开", "发布",
          "压实", "整合", "打通", "延伸", "下沉", "联动", "共享", "衔接", "兜牢", "筑牢"]
ADVS = ["进一步", "持续", "全面", "加快", "切实", "有效", "积极", "稳步", "逐步", "不断", "及时", "主动",
        "依法", "精准", "统筹", "集中", "分类", "定期", "全力", "扎实"]
ADJS = ["重要", "关键", "有力", "务实", "长效", "便捷", "透明", "规范", "精细", "高效", "公平", "可及"]

EN_WORDS = {
    "term": ["social insurance", "pension insurance", "migrant workers", "wage arrears",
             "the medical insurance fund", "unemployment insurance", "work injury insurance",
             "the housing provident fund", "minimum wage standards", "labour contracts",
             "cross-province medical settlement", "personal medical accounts", "long-term care insurance",
             "basic pension benefits", "subsistence allowances", "temporary assistance",
             "legal aid", "labour arbitration", "rural drinking water", "skills training"],
    "agency": ["the Ministry of Human Resources and Social Security", "the National Healthcare Security Administration",
               "the Ministry of Civil Affairs", "the Ministry of Justice", "the Ministry of Finance",
               "the State Taxation Administration"],
    "verb": ["issued", "launched", "announced", "expanded", "reviewed", "published", "tightened", "simplified"],
    "object": ["insured workers", "retirees", "employers", "designated hospitals", "construction firms",
               "college graduates", "gig workers", "rural residents", "local bureaus"],
    "adj": ["national", "provincial", "municipal", "special", "annual", "joint", "digital", "unified"],
    "noun": ["campaign", "guideline", "inspection", "platform", "programme", "notice", "review", "pilot"],
    "region": ["Beijing", "Shanghai", "Zhejiang", "Guangdong", "Sichuan", "Chongqing", "Hebei", "Shanxi",
               "Hunan", "Jiangsu", "Yunnan", "Gansu"],
}
EN_SENTENCES = [
    "In {year}, {agency} {verb} a {adj} {noun} on {term} covering {n} thousand {object}.",
    "Officials in {region} said {term} now reaches {object} in every county, with {pct} percent processed online.",
    "The {adj} {noun} asks local bureaus to settle {term} cases within {n} working days.",
    "According to {source}, {object} in {region} recovered {money} million yuan through {term}.",
    "Experts noted that {term} and {term2} must be managed together to protect {object}.",
    "A {adj} {noun} {verb} in {region} links {term} records with tax and payroll data.",
    "By the end of {year}, {n} million {object} had enrolled in {term}, up {pct} percent year on year.",
    "Inspectors found {n} violations involving {term} and referred {n2} of them for prosecution.",
    "Residents can check {term} balances with the electronic social security card in under {n} minutes.",
]


_topic = [0]  # the topic of the article being written (its index in TOPICS)


def term(r):
    if r.chance(OWN_TOPIC):
        return r.pick(TOPIC_TERMS[_topic[0]])
    return r.pick(TERMS)


def zh_person(r):
    return r.pick(SURNAMES) + r.pick(GIVEN) + (r.pick(GIVEN) if r.chance(60) else "")


GENERIC_ZH = [
    "{city}{adv}{v}{n}{n2}，{v2}{n3}{n4}，{v3}{n5}。",
    "{adv}{v}{n}{n2}，是{v2}{n3}的{adj}举措。",
    "围绕{n}{n2}，{city}{local}{v}了{k}项{n3}{n4}。",
    "{person}介绍，{city}{v}{n}“{n2}+{n3}”模式，{n4}{v2}到{k}个{n5}。",
    "下一步，{city}将{adv}{v}{n}{n2}，{adv2}{v2}{n3}，让{obj}{v3}{n4}。",
    "从{n}看，{city}{n2}{v}{pct}%，{n3}{v2}{k}个百分点。",
    "{city}{local}把{n}{n2}纳入{n3}，{v}{n4}{n5}。",
    "“{n}{v}了，{n2}也{v2}了。”{person}告诉记者。",
]


def zh_sentence(r, year):
    if r.chance(45):
        return r.pick(GENERIC_ZH).format(
            city=r.pick(CITIES), adv=r.pick(ADVS), adv2=r.pick(ADVS), v=r.pick(VERBS2), v2=r.pick(VERBS2),
            v3=r.pick(VERBS2), n=r.pick(NOUNS), n2=r.pick(NOUNS), n3=r.pick(NOUNS), n4=r.pick(NOUNS),
            n5=r.pick(NOUNS), adj=r.pick(ADJS), local=r.pick(LOCAL), k=1 + r.below(60), pct=r.below(100),
            person=zh_person(r), obj=r.pick(OBJECTS))
    t = r.pick(ZH_SENTENCES)
    return t.format(
        year=year - r.below(3), m=1 + r.below(12), month=1 + r.below(6), region=r.pick(REGIONS),
        local=r.pick(LOCAL), term=term(r), term2=term(r), verb=r.pick(VERBS),
        action=r.pick(ACTIONS), obj=r.pick(OBJECTS), n=1 + r.below(999), unit=r.pick(UNITS),
        source=r.pick(SOURCES), agency=r.pick(AGENCIES), pct=r.below(100), person=zh_person(r),
        money=10 + r.below(9000), money2=10 + r.below(9000), place=r.pick(PLACES))


def en_sentence(r, year):
    t = r.pick(EN_SENTENCES)
    w = {k: r.pick(v) for k, v in EN_WORDS.items()}
    w["term2"] = r.pick(EN_WORDS["term"])
    return t.format(year=year - r.below(3), n=2 + r.below(400), n2=1 + r.below(9), pct=r.below(100),
                    money=1 + r.below(900), source=r.pick(["Xinhua", "People's Daily", "China Daily", "CCTV"]), **w)


# ---- body blocks: each takes (rng, article) and returns Markdown text ending in "\n\n" ----

def block_paragraph(r, a):
    say = a["say"]
    return "".join(say(r, a["year"]) for _ in range(3 + r.below(4))) + "\n\n"


def block_heading(r, a):
    if a["zh"]:
        h = r.pick(["", "关于"]) + term(r) + r.pick(["的主要做法", "：数字背后", "的下一步", "进展", "典型案例", "政策要点"])
    else:
        h = r.pick(["How ", "Why ", "What changed in ", "Progress on ", "Next steps for "]) + r.pick(EN_WORDS["term"])
    return "## " + h + "\n\n"


def block_list(r, a):
    items = []
    for _ in range(3 + r.below(3)):
        items.append("- " + a["say"](r, a["year"]))
    return "\n".join(items) + "\n\n"


def block_links(r, a):
    targets = [t for t in r.sample(range(a["n"]), 3) if t != a["i"]][:2] or []
    if not targets:
        return ""
    parts = []
    for t in targets:
        label = ("相关报道" if a["zh"] else "related report") + " " + str(t + 1)
        parts.append("[%s](/articles/%s/)" % (label, slug_of(t)))
    if a["zh"]:
        return "延伸阅读：" + "、".join(parts) + "。\n\n"
    return "Further reading: " + ", ".join(parts) + ".\n\n"


def block_quote(r, a):
    return "> " + a["say"](r, a["year"]) + a["say"](r, a["year"]) + "\n\n"


def block_code(r, a):
    lines = ["{", '  "region": "%s",' % r.pick(REGIONS), '  "item": "%s",' % term(r),
             '  "count": %d' % r.below(10000), "}"]
    return "```json\n" + "\n".join(lines) + "\n```\n\n"


# (function, weight): one more block type is one more line here
BLOCKS = [(block_paragraph, 50), (block_heading, 12), (block_list, 14), (block_links, 10),
          (block_quote, 8), (block_code, 6)]


def pick_block(r):
    total = sum(w for _, w in BLOCKS)
    x = r.below(total)
    for f, w in BLOCKS:
        if x < w:
            return f
        x -= w
    return BLOCKS[0][0]


# ---- datasets: 20 Frictionless Data Packages under data/<name>/ ----
#
# Every value is an integer number of hundredths until it is written, so the CSV text does
# not depend on float formatting; dates come from datetime.date, which is the same
# everywhere. Each dataset has its own Rng, so adding or changing one leaves the others
# byte for byte as they were.

def x_years(first, last):
    """A year axis: the summary on the dataset page then speaks of change per year."""
    vals = [str(y) for y in range(first, last + 1)]
    return {"name": "year", "type": "year", "title": "年份"}, vals, "%d年—%d年" % (first, last)


def x_months(year, count):
    """Months as dates (the 1st of each month): the date type needs YYYY-MM-DD."""
    vals = ["%04d-%02d-01" % (year + m // 12, m % 12 + 1) for m in range(count)]
    last = count - 1
    period = "%d年1月—%d年%d月" % (year, year + last // 12, last % 12 + 1)
    return {"name": "month", "type": "date", "title": "月份"}, vals, period


def x_days(start, count, step=1):
    """Daily (or, with step 7, weekly) dates: the long series, 200 to 2,000 rows."""
    d0 = datetime.date(*start).toordinal()
    days = [datetime.date.fromordinal(d0 + k * step) for k in range(count)]
    period = "%d年%d月%d日—%d年%d月%d日" % (days[0].year, days[0].month, days[0].day,
                                          days[-1].year, days[-1].month, days[-1].day)
    title = "周起始日" if step == 7 else "日期"
    return {"name": "date", "type": "date", "title": title}, [d.isoformat() for d in days], period


def x_labels(name, title, labels, period):
    """Categories (regions, cities, schemes): bar and hbar charts with string labels."""
    return {"name": name, "type": "string", "title": title}, list(labels), period


def series(name, title, unit, base, shape="walk", vol=30, trend=0, dec=0, typ="number",
           cap=None, missing=0, start=0, weekend=False):
    """One numeric column. shape: walk (a random walk from base, vol and trend in per
    mille per row), cat (independent values around base), signed (around zero, some
    negative). missing: percent of empty cells; start: rows before it are empty;
    weekend: daily data that drops on Saturdays and Sundays."""
    return {"name": name, "title": title, "unit": unit, "base": base, "shape": shape, "vol": vol,
            "trend": trend, "dec": dec, "type": typ, "cap": cap, "missing": missing, "start": start,
            "weekend": weekend}


def series_values(r, s, n, xs):
    """n values of series s in hundredths (None when missing). A walk is a trend line
    times (1 + a deviation that decays by a tenth each row): a plain random walk would
    drift to zero or explode over 2,000 rows."""
    out, target, dev = [], s["base"] * 100, 0  # dev in per mille of the trend line
    for k in range(n):
        if s["shape"] == "walk":
            h = max(target * (1000 + dev) // 1000, 100)
            target += target * s["trend"] // 1000
            dev = max(dev * 9 // 10 + r.below(2 * s["vol"] + 1) - s["vol"], -900)
            if s["weekend"] and datetime.date.fromisoformat(xs[k]).weekday() >= 5:
                h = h * 2 // 5  # offices and hotlines are quieter at weekends
        elif s["shape"] == "cat":
            h = s["base"] * (4000 + r.below(12000)) // 100
        else:
            h = s["base"] * (r.below(16000) - 5000) // 100
        if s["cap"] is not None:
            h = min(h, s["cap"] * 100)
        if k < s["start"] or (s["missing"] and r.chance(s["missing"])):
            h = None
        out.append(h)
    return out


def fmt(h, dec):
    """Hundredths as text with dec decimals (0, 1 or 2), rounded half away from zero."""
    if h is None:
        return ""
    sign, h = ("-" if h < 0 else ""), abs(h)
    if dec == 0:
        return sign + str((h + 50) // 100)
    if dec == 1:
        t = (h + 5) // 10
        return "%s%d.%d" % (sign, t // 10, t % 10)
    return "%s%d.%02d" % (sign, h // 100, h % 100)


def table(r, x, cols, notes=None):
    """(fields, rows of strings) for one resource: x, then the series, then notes."""
    xfield, xs, _ = x
    fields = [dict(xfield, constraints={"required": True})]
    columns = []
    for s in cols:
        f = {"name": s["name"], "type": s["type"], "title": s["title"], "unit": s["unit"]}
        fields.append(f)
        columns.append([fmt(h, s["dec"]) for h in series_values(r, s, len(xs), xs)])
    rows = [[xv] + [c[k] for c in columns] for k, xv in enumerate(xs)]
    if notes:
        fields.append({"name": "note", "type": "string", "title": "备注"})
        for k, row in enumerate(rows):
            row.append(notes[k % len(notes)] if r.chance(40) else "")
    return fields, rows


def csv_text(fields, rows):
    """RFC 4180 CSV (csv.writer quotes the notes that hold commas or quotes)."""
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow([fd["name"] for fd in fields])
    w.writerows(rows)
    return f.getvalue()


YEARS_14 = x_years(2012, 2024)
PROVINCES = x_labels("region", "地区", REGIONS, "2024年")
SCHEMES = ["职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险", "职工基本医疗保险",
           "城乡居民基本医疗保险", "生育保险"]
DISPUTES = ["婚姻家庭", "邻里纠纷", "劳动争议", "物业纠纷", "合同纠纷", "损害赔偿", "征地拆迁", "医疗纠纷"]
BATCHES = ["第%s批" % c for c in "一二三四五六七八九十"]
NOTES = ["含追溯调整", "口径调整，与上年不可比", "数据来自“一网通办”平台", "初步统计, 待核实",
         "包括跨省通办事项", "按常住人口计算"]

# name, title, topics, unit, chart type, x axis, series, and optionally a second resource
# (x axis, series) and notes. Chart types cover bar, hbar, grouped, stacked and line; four
# datasets have 520 to 2,000 rows, the rest 7 to 156 (second resources: 2 to 28).
DATASETS = [
    ("pension-fund-2012-2024", "2012—2024年城镇职工基本养老保险基金收支", ["social-insurance"], "亿元",
     "grouped", YEARS_14,
     [series("income", "基金收入", "亿元", 21000, trend=70, dec=2),
      series("expenditure", "基金支出", "亿元", 17000, trend=90, dec=2),
      series("balance", "当期结余", "亿元", 3000, shape="signed", dec=2)]),
    ("medical-fund-2018-2024", "2018—2024年基本医疗保险基金收支", ["medical-insurance"], "亿元",
     "bar", x_years(2018, 2024),
     [series("income", "基金收入", "亿元", 21000, trend=60, dec=1),
      series("expenditure", "基金支出", "亿元", 17800, trend=70, dec=1)]),
    ("wage-arrears-cases-by-province", "2024年各地欠薪案件办结数", ["wage-arrears", "rule-of-law"], "件",
     "hbar", PROVINCES,
     [series("cases", "办结案件", "件", 3000, shape="cat", typ="integer")],
     (PROVINCES, [series("recovered", "追回工资", "万元", 52000, shape="cat", dec=2)])),
    ("wage-recovered-monthly", "2019—2024年每月追回农民工工资", ["wage-arrears"], "亿元",
     "line", x_months(2019, 72),
     [series("recovered", "追回工资", "亿元", 18, vol=120, dec=2),
      series("workers", "涉及劳动者", "万人", 25, vol=120, dec=1)]),
    ("unemployment-claims-daily", "失业保险金每日申领人数", ["employment", "social-insurance"], "人",
     "line", x_days((2019, 1, 1), 2000),
     [series("claims", "申领人数", "人", 5200, vol=60, typ="integer", missing=1, weekend=True)]),
    ("cross-province-settlement-daily", "跨省异地就医每日直接结算", ["medical-insurance"], "万人次",
     "line", x_days((2022, 1, 1), 1200),
     [series("visits", "结算人次", "万人次", 48, vol=50, trend=1, dec=2, weekend=True),
      series("amount", "结算金额", "亿元", 9, vol=50, trend=1, dec=2, weekend=True)]),
    ("urban-new-jobs-2013-2024", "2013—2024年城镇新增就业", ["employment"], "万人",
     "bar", x_years(2013, 2024),
     [series("new_jobs", "城镇新增就业", "万人", 1300, vol=40, typ="integer")]),
    ("skills-training-by-province", "2024年各地职业技能培训人次", ["employment"], "万人次",
     "stacked", PROVINCES,
     [series("subsidized", "补贴性培训", "万人次", 60, shape="cat", dec=1),
      series("self_funded", "企业自主培训", "万人次", 35, shape="cat", dec=1)]),
    ("assistance-recipients-2014-2024", "2014—2024年低保和特困供养人数", ["social-assistance"], "万人",
     "stacked", x_years(2014, 2024),
     [series("urban_dibao", "城市低保", "万人", 1880, trend=-60, vol=20, dec=1),
      series("rural_dibao", "农村低保", "万人", 5200, trend=-25, vol=20, dec=1),
      series("tekun", "特困人员", "万人", 530, vol=30, dec=1)]),
    ("dibao-standard-by-city", "2024年部分城市低保标准", ["social-assistance"], "元/月",
     "hbar", x_labels("city", "城市", CITIES, "2024年"),
     [series("urban", "城市低保标准", "元/月", 850, shape="cat", typ="integer"),
      series("rural", "农村低保标准", "元/月", 620, shape="cat", typ="integer")]),
    ("legal-aid-cases-monthly", "2021—2024年每月法律援助案件", ["rule-of-law"], "件",
     "bar", x_months(2021, 48),
     [series("cases", "法律援助案件", "件", 120000, vol=80, trend=3, typ="integer")]),
    ("mediation-disputes-by-type", "2022—2024年人民调解案件类型", ["rule-of-law"], "万件",
     "grouped", x_labels("kind", "纠纷类型", DISPUTES, "2022年—2024年"),
     [series("y2022", "2022年", "万件", 120, shape="cat", dec=1),
      series("y2023", "2023年", "万件", 125, shape="cat", dec=1),
      series("y2024", "2024年", "万件", 130, shape="cat", dec=1)]),
    ("rural-water-coverage-by-province", "2024年各地农村自来水普及率", ["rural-development"], "%",
     "hbar", PROVINCES,
     [series("coverage", "自来水普及率", "%", 75, shape="cat", dec=1, cap=100)]),
    ("village-collective-income-weekly", "试点村集体经济每周收入", ["rural-development"], "万元",
     "line", x_days((2015, 1, 5), 520, step=7),
     [series("operating", "经营收入", "万元", 30, vol=45, trend=2, dec=2),
      series("subsidy", "补助收入", "万元", 12, vol=45, dec=2, missing=2)]),
    ("family-doctor-signing-2015-2024", "2015—2024年家庭医生签约服务覆盖率", ["health-services"], "%",
     "line", x_years(2015, 2024),
     [series("overall", "常住人口签约率", "%", 26, trend=80, vol=20, dec=1, cap=100),
      series("key_groups", "重点人群签约率", "%", 40, trend=90, vol=20, dec=1, cap=100)]),
    ("township-hospital-visits-by-province", "2024年各地乡镇卫生院诊疗人次", ["health-services"], "万人次",
     "grouped", PROVINCES,
     [series("outpatient", "门急诊", "万人次", 3800, shape="cat", dec=1),
      series("inpatient", "出院", "万人次", 140, shape="cat", dec=1)],
     (x_years(2015, 2024), [series("total", "全国门急诊合计", "万人次", 105000, trend=20, dec=1)])),
    ("social-security-cards-monthly", "2012—2024年每月社会保障卡发卡量", ["social-insurance"], "万张",
     "stacked", x_months(2012, 156),
     [series("physical", "实体社保卡", "万张", 800, vol=60, dec=1),
      series("electronic", "电子社保卡", "万张", 300, vol=60, trend=15, dec=1, start=72)]),
    ("arrears-hotline-calls-daily", "欠薪举报热线每日来电", ["wage-arrears"], "件",
     "line", x_days((2023, 1, 1), 700),
     [series("calls", "来电", "件", 2400, vol=70, typ="integer", weekend=True),
      series("resolved", "当日办结", "件", 1500, vol=70, typ="integer", weekend=True),
      series("transferred", "转办", "件", 600, vol=70, typ="integer", weekend=True)],
     (x_years(2023, 2024), [series("calls", "全年来电", "件", 700000, vol=80, typ="integer")])),
    ("insured-persons-by-scheme", "2023—2024年各项社会保险参保人数", ["social-insurance", "medical-insurance"],
     "万人", "hbar", x_labels("scheme", "险种", SCHEMES, "2023年—2024年"),
     [series("y2023", "2023年末", "万人", 40000, shape="cat", dec=0),
      series("y2024", "2024年末", "万人", 41000, shape="cat", dec=0)]),
    ("drug-procurement-price-cuts", "国家组织药品集中带量采购平均降价幅度", ["medical-insurance"], "%",
     "bar", x_labels("batch", "批次", BATCHES, "2018年—2024年"),
     [series("price_cut", "平均降价幅度", "%", 50, shape="cat", dec=1, cap=96)],
     None, NOTES),
]


def dataset_files(k, spec):
    """The datapackage.json text and {file: CSV text} of dataset k."""
    name, title, topics, unit, ctype, x, cols = spec[:7]
    extra = spec[7] if len(spec) > 7 else None
    notes = spec[8] if len(spec) > 8 else None
    r = Rng(k, 1000)
    resources, files = [], {}
    parts = [(name, x, cols, notes)]
    if extra:
        parts.append((name + "-summary", extra[0], extra[1], None))
    for rname, rx, rcols, rnotes in parts:
        fields, rows = table(r, rx, rcols, rnotes)
        files[rname + ".csv"] = csv_text(fields, rows)
        resources.append({"name": rname, "path": rname + ".csv", "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8",
                          "schema": {"fields": fields, "primaryKey": [rx[0]["name"]], "missingValues": [""]}})
    # every series ends by 2024-12, so a publication in the first half of 2025 is plausible
    month, mday = 1 + r.below(6), 1 + r.below(28)
    day = "2025-%02d-%02d" % (month, mday)
    source = "%s，2025年%d月%d日" % (r.pick(SOURCES), month, mday)
    pkg = {
        "name": name, "title": title,
        "description": "基准语料中的合成数据集（%s，%d行）。数值由固定种子的伪随机数生成，不代表真实统计。"
                       % (x[2], len(x[1])),
        "topics": topics, "region": "全国", "period": x[2], "unit": unit,
        "published": day, "updated": day,
        "sources": [{"title": source, "date": day}],
        "licenses": [{"name": "CC-BY-4.0", "title": "知识共享署名 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "chart": {"type": ctype, "x": x[0]["name"], "y": [s["name"] for s in cols], "title": title,
                  "subtitle": "单位：" + unit},
        "resources": resources,
    }
    if k % 4 == 1:  # a few with a next update and a revision, as on the sample portal
        pkg["next_update"] = "2026-%s" % day[5:]
        pkg["revisions"] = [{"date": day, "reason": "correction", "note": "更正了个别数值的录入错误。"}]
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", files


def write_datasets(out):
    for k, spec in enumerate(DATASETS):
        text, files = dataset_files(k, spec)
        d = os.path.join(out, "data", spec[0])
        write(os.path.join(d, "datapackage.json"), text)
        for fname, body in files.items():
            write(os.path.join(d, fname), body)


# ---- chart blocks: every 20th article (exactly 5 %) shows one dataset's chart ----

CHART_EVERY = 20
# a type the same data reads well in, for blocks that override the dataset's own
OTHER_TYPE = {"bar": "hbar", "hbar": "bar", "grouped": "hbar", "stacked": "grouped", "line": "line"}


def has_chart(i):
    return i % CHART_EVERY == CHART_EVERY - 1


def chart_dataset(i):
    """Cycles through the datasets, so every one is charted in articles and lists them."""
    return (i // CHART_EVERY) % len(DATASETS)


def chart_block(r, spec):
    """A ```chart fence: sometimes just the dataset (its own chart), sometimes every key,
    sometimes another type and only the first series."""
    name, title, _, _, ctype, x, cols = spec[:7]
    lines = ["dataset: " + name]
    style = r.below(3)
    if style == 1:
        lines += ["type: " + ctype, "x: " + x[0]["name"], "y: [" + ", ".join(s["name"] for s in cols) + "]"]
    elif style == 2:
        cols = cols[:1]
        lines += ["type: " + OTHER_TYPE[ctype], "x: " + x[0]["name"], "y: " + cols[0]["name"]]
    if style or r.chance(50):
        units = sorted(set(s["unit"] for s in cols))  # in the title only when they agree
        lines.append("title: " + title + ("（%s）" % units[0] if len(units) == 1 else ""))
    return "```chart\n" + "\n".join(lines) + "\n```\n\n"


_first_series = {}


def first_series_rows(k):
    """Rows [x, first series] of dataset k, the same values as its CSV (the first series
    is drawn first from the dataset's Rng); computed once, as many articles ask."""
    if k not in _first_series:
        spec = DATASETS[k]
        _first_series[k] = table(Rng(k, 1000), spec[5], spec[6][:1])[1]
    return _first_series[k]


def table_block(r, k):
    """A small ```table fence with a few consecutive rows of dataset k's first series."""
    _, title, _, _, _, x, cols = DATASETS[k][:7]
    rows = first_series_rows(k)
    first = r.below(max(1, len(rows) - 5))
    out = ["caption: %s：%s（%s）" % (title, cols[0]["title"], cols[0]["unit"]),
           "%s,%s" % (x[0]["title"], cols[0]["title"])]
    out += ["%s,%s" % (row[0], row[1]) for row in rows[first:first + 3 + r.below(4)]]
    return "```table\n" + "\n".join(out) + "\n```\n\n"


def add_chart(i, body, paras):
    """Puts a chart block (and, in about half of them, a table) after one of the body's
    paragraphs other than the last block. Its own Rng keeps the rest of the article as it
    was without charts. Returns the dataset's name."""
    r = Rng(i, 5)
    k = chart_dataset(i)
    blocks = chart_block(r, DATASETS[k]) + (table_block(r, k) if r.chance(50) else "")
    after = [j for j in range(len(body) - 1) if paras[j]] or [len(body) - 1]
    body.insert(r.pick(after) + 1, blocks)
    return DATASETS[k][0]


def slug_of(i):
    return "%s-%05d" % (TOPICS[i % len(TOPICS)][0], i + 1)


def date_of(i, n):
    # spread over 2019-01-01 .. 2025-12-31 in order, with a deterministic time of day
    days_total = 2557
    day = (i * days_total) // max(n, 1)
    y, d = 2019, day
    while True:
        ylen = 366 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365
        if d < ylen:
            break
        d -= ylen
        y += 1
    mlen = [31, 29 if ylen == 366 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    m = 0
    while d >= mlen[m]:
        d -= mlen[m]
        m += 1
    r = Rng(i, 7)
    return y, "%04d-%02d-%02dT%02d:%02d:00+08:00" % (y, m + 1, d + 1, 8 + r.below(11), r.below(60))


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article(i, n):
    r = Rng(i)
    zh = r.chance(ZH_SHARE)
    year, date = date_of(i, n)
    topic = TOPICS[i % len(TOPICS)]
    _topic[0] = i % len(TOPICS)
    topics = [topic[0]] + ([r.pick(TOPICS)[0]] if r.chance(30) else [])
    topics = list(dict.fromkeys(topics))
    tags = r.sample(TAGS, 2 + r.below(3))
    a = {"i": i, "n": n, "zh": zh, "year": year, "say": zh_sentence if zh else en_sentence}
    if zh:
        title = "%s%s%s%s" % (r.pick(REGIONS + CITIES), r.pick(VERBS), term(r), r.pick(ACTIONS))
        if r.chance(40):
            title += "：" + r.pick(OBJECTS) + r.pick(["受益", "获得感增强", "办事更方便", "权益得到保障"])
    else:
        title = "%s %s %s %s on %s" % (r.pick(EN_WORDS["region"]), r.pick(EN_WORDS["verb"]), r.pick(["a", "its"]),
                                      r.pick(EN_WORDS["noun"]), r.pick(EN_WORDS["term"]))
    fm = ["---", "title: " + quote(title), "date: " + date,
          "topics: [" + ", ".join(topics) + "]", "tags: [" + ", ".join(quote(t) for t in tags) + "]"]
    if r.chance(50):
        fm.append("summary: " + quote(a["say"](r, year)))
    fm.append("source: " + quote(r.pick(SOURCES)))
    if r.chance(60):
        fm.append("author: " + quote(zh_person(r)))
    if r.chance(50):
        fm.append("region: " + quote(r.pick(REGIONS)))
    target = MIN_BODY + r.below(MAX_BODY - MIN_BODY - 600)
    body = [block_paragraph(r, a)]
    paras = [True]  # which blocks are paragraphs: a chart block goes after one
    size = len(body[0].encode())
    while size < target:
        f = pick_block(r)
        b = f(r, a)
        if size + len(b.encode()) > MAX_BODY:
            break
        body.append(b)
        paras.append(f is block_paragraph)
        size += len(b.encode())
    # after every draw from r, so the article is otherwise the same as without charts
    # (the block is not counted in MAX_BODY: 5 of 500 chart articles at N=10,000 pass it, by
    # at most ~120 bytes)
    if has_chart(i):
        fm.append("datasets: [%s]" % add_chart(i, body, paras))
    fm.append("---")
    return year, "\n".join(fm) + "\n\n" + "".join(body).rstrip("\n") + "\n"


def site_yaml():
    out = ['title: "民生信息公开（基准语料）"', 'base_url: "https://example.org/portal/"',
           'language: "zh-CN"', 'timezone: "+08:00"', "per_page: 20", "topics:"]
    for slug, name, desc, _ in TOPICS:
        out += ["  %s:" % slug, "    name: " + quote(name), "    description: " + quote(desc)]
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    if len(argv) != 3 or not argv[2].isdigit():
        sys.stderr.write("usage: corpus.py OUT_DIR N\n")
        return 2
    out, n = argv[1], int(argv[2])
    write(os.path.join(out, "site.yaml"), site_yaml())
    write_datasets(out)
    for i in range(n):
        year, text = article(i, n)
        write(os.path.join(out, "articles", str(year), slug_of(i) + ".md"), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
