"""Name parts and profile choices for generated demo deputies; no real person is listed here."""

import random

# Common surnames, roughly in order of frequency; earlier ones are drawn more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)

# Characters commonly used in given names, split by the gender they lean to.
GIVEN_MALE = (
    "伟刚勇毅俊峰强军平东文辉力明永健志兴良海山波宁福龙元全国胜学祥才武新利清飞彬顺杰涛昌成康"
    "星光天达安岩中茂进林坚和博诚先振群豪邦承乐功松善庆磊民友河哲江超浩亮政奇翰朗宏鸣朋斌栋维"
    "启克翔旭鹏泽晨辰建家树德行泰盛雄钧冠策腾楠航弘"
)
GIVEN_FEMALE = (
    "秀娟英华慧巧美娜静淑惠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲雪荣爱霞香月媛艳瑞佳嘉琼"
    "勤珍莉桂璐琦晶妍茜秋珊锦青倩婷婉娴瑾颖露瑶怡雁蓓仪荷丹蓉君琴蕊薇菁梦岚馨韵澜纯悦昭冰爽茗"
    "羽希欣滢筠柔竹晓欢枫芸菲亚宜可舒丽阳妮睿雯萱彦雨曼紫逸"
)

# (value, weight)
ETHNICITIES = (
    ("汉族", 92),
    ("回族", 2),
    ("土家族", 2),
    ("满族", 1),
    ("苗族", 1),
    ("蒙古族", 1),
    ("壮族", 1),
)

PARTIES = (
    ("中共党员", 62),
    ("民革党员", 2),
    ("民盟盟员", 3),
    ("民建会员", 3),
    ("民进会员", 2),
    ("农工党党员", 2),
    ("致公党党员", 1),
    ("九三学社社员", 2),
    ("无党派人士", 5),
    ("群众", 18),
)

# Sectors of deputies' work; each matches one professional group (专业代表小组).
# Templates: {stem} an invented name stem, {community} a community of the district,
# {street} a street. Only invented organisations get leading posts, so no template
# names the holder of a real office.
SECTORS = {
    "财政经济": (
        22,
        (
            "{stem}科技有限公司董事长",
            "{stem}实业有限公司总经理",
            "{stem}商贸有限公司总经理",
            "{stem}置业有限公司财务总监",
            "{stem}物流有限公司副总经理",
            "{stem}餐饮管理有限公司总经理",
            "{stem}会计师事务所合伙人",
            "{stem}软件有限公司技术员",
        ),
    ),
    "城建环保": (
        12,
        (
            "{stem}建设工程有限公司项目经理",
            "{stem}物业服务有限公司总经理",
            "{stem}环保科技有限公司工程师",
            "{stem}市政工程有限公司副总经理",
            "{stem}建筑设计院高级工程师",
            "{stem}物业服务有限公司项目主管",
        ),
    ),
    "法制建设": (
        8,
        (
            "{stem}律师事务所主任",
            "{stem}律师事务所律师",
            "{community}人民调解委员会调解员",
            "{stem}公证处公证员",
        ),
    ),
    "社会建设": (
        28,
        (
            "{community}党委书记、居委会主任",
            "{community}居委会副主任",
            "{community}网格员",
            "{stem}社会工作服务中心主任",
            "{stem}养老服务中心负责人",
            "{stem}志愿服务协会会长",
            "{stem}快递配送站快递员",
            "{stem}超市个体经营者",
        ),
    ),
    "医疗卫生": (
        10,
        (
            "{stem}医院副院长",
            "{stem}医院主任医师",
            "{stem}医院护士长",
            "{street}社区卫生服务中心医生",
            "{stem}中医诊所医师",
        ),
    ),
    "科学教育": (
        12,
        (
            "{stem}小学校长",
            "{stem}中学教师",
            "{stem}小学教师",
            "{stem}职业技术学院副教授",
            "{stem}幼儿园园长",
            "{stem}科技有限公司研发总监",
        ),
    ),
    "文化旅游": (
        8,
        (
            "{stem}文化传媒有限公司总经理",
            "{stem}非遗工作室传承人",
            "{stem}旅行社有限公司总经理",
            "{stem}书店店长",
            "{stem}剧社演员",
        ),
    ),
}

SECTOR_NAMES = tuple(SECTORS)


def weighted(rng: random.Random, choices) -> str:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights)[0]


def person_name(rng: random.Random, gender: str) -> str:
    # Frequent surnames first: a triangular draw favours the start of the string.
    surname = SURNAMES[int(rng.triangular(0, len(SURNAMES), 0))]
    chars = GIVEN_FEMALE if gender == "F" else GIVEN_MALE
    size = 2 if rng.random() < 0.7 else 1
    return surname + "".join(rng.choice(chars) for _ in range(size))


def sector(rng: random.Random) -> str:
    return rng.choices(SECTOR_NAMES, weights=[SECTORS[s][0] for s in SECTOR_NAMES])[0]


def occupation(rng: random.Random, sector_name: str, *, stem: str, community: str, street: str):
    template = rng.choice(SECTORS[sector_name][1])
    return template.format(stem=stem, community=community, street=street)


def fake_mobile(serial: int) -> str:
    """An obviously fake mobile number (139 0000 xxxx): deputies' numbers are private."""
    return f"1390000{serial % 10000:04d}"


def fake_landline(serial: int) -> str:
    """An obviously fake Wuhan landline: local numbers never start with 0."""
    return f"027-0000{serial % 10000:04d}"
