"""Handling units of a demo district and the two-level category taxonomy with its routing.

The category names come from the source report as summarised in
/work/shared/design/domain.md (民生保障, 社会治理, 营商环境; 物业管理, 人居环境,
交通出行, 一老一小, 教育, 城乡建设, 环境保护, 劳动和社会保障, 卫生健康,
商贸旅游); the other subjects, the codes and the routing are the demo's own.
"""

# District departments (区政府部门): (key, full name pattern, short name).
# {district} and {city} are filled in; the key is what routes refer to.
DEPARTMENTS = (
    ("office", "{district}人民政府办公室", "区政府办"),
    ("ndrc", "{district}发展和改革局", "区发改局"),
    ("education", "{district}教育局", "区教育局"),
    ("finance", "{district}财政局", "区财政局"),
    ("hrss", "{district}人力资源和社会保障局", "区人社局"),
    ("civil", "{district}民政局", "区民政局"),
    ("justice", "{district}司法局", "区司法局"),
    ("housing", "{district}住房和城市更新局", "区住房和城市更新局"),
    ("urban", "{district}城市管理执法局", "区城管执法局"),
    ("transport", "{district}交通运输局", "区交通运输局"),
    ("water", "{district}水务和湖泊局", "区水务湖泊局"),
    ("commerce", "{district}商务局", "区商务局"),
    ("culture", "{district}文化和旅游局", "区文化和旅游局"),
    ("health", "{district}卫生健康局", "区卫生健康局"),
    ("veterans", "{district}退役军人事务局", "区退役军人事务局"),
    ("emergency", "{district}应急管理局", "区应急管理局"),
    ("market", "{district}市场监督管理局", "区市场监管局"),
    ("medical", "{district}医疗保障局", "区医保局"),
    ("data", "{district}数据局", "区数据局"),
    ("parks", "{district}园林和林业局", "区园林局"),
    ("audit", "{district}审计局", "区审计局"),
    ("petition", "{district}信访局", "区信访局"),
    ("police", "{city}公安局{district}分局", "区公安分局"),
    ("ecology", "{city}生态环境局{district}分局", "区生态环境分局"),
    ("planning", "{city}自然资源和城乡建设局{district}分局", "区自然资源分局"),
)

# "一委两院": (key, kind, full name pattern, short name).
JUDICIAL = (
    ("court", "court", "{district}人民法院", "区法院"),
    ("procuratorate", "procuratorate", "{district}人民检察院", "区检察院"),
    ("supervisory", "supervisory", "{district}监察委员会", "区监委"),
)

# Routing targets: a department key, or STREET for "the street office of the street
# the matter arises in" (one route per street, and the department key after it as
# the district's fallback for matters not tied to a street).
STREET = "street"

# (code, name, [(code, name, routes)]) where routes is a tuple of targets.
TAXONOMY = (
    (
        "MS",
        "民生保障",
        (
            ("MS01", "一老一小", (STREET, "civil")),
            ("MS02", "教育", ("education",)),
            ("MS03", "卫生健康", ("health",)),
            ("MS04", "劳动和社会保障", ("hrss",)),
            ("MS05", "社会救助", ("civil",)),
            ("MS06", "医疗保障", ("medical",)),
            ("MS07", "退役军人服务", ("veterans",)),
            ("MS08", "文化体育", ("culture",)),
        ),
    ),
    (
        "SZ",
        "社会治理",
        (
            ("SZ01", "物业管理", (STREET, "housing")),
            ("SZ02", "社区治理", (STREET, "civil")),
            ("SZ03", "平安建设", ("police",)),
            ("SZ04", "矛盾纠纷化解", ("justice",)),
            ("SZ05", "应急安全", ("emergency",)),
            ("SZ06", "审判执行", ("court",)),
            ("SZ07", "检察监督", ("procuratorate",)),
            ("SZ08", "廉政监督", ("supervisory",)),
        ),
    ),
    (
        "YS",
        "营商环境",
        (
            ("YS01", "商贸旅游", ("commerce",)),
            ("YS02", "市场监管", ("market",)),
            ("YS03", "政务服务", ("data",)),
            ("YS04", "就业创业", ("hrss",)),
            ("YS05", "企业服务", ("ndrc",)),
        ),
    ),
    (
        "CS",
        "城市建设",
        (
            ("CS01", "城乡建设", ("housing",)),
            ("CS02", "交通出行", ("transport",)),
            ("CS03", "人居环境", (STREET, "urban")),
            ("CS04", "老旧小区改造", ("housing",)),
            ("CS05", "市容市政", ("urban",)),
            ("CS06", "规划用地", ("planning",)),
        ),
    ),
    (
        "ST",
        "生态环境",
        (
            ("ST01", "环境保护", ("ecology",)),
            ("ST02", "水务湖泊", ("water",)),
            ("ST03", "园林绿化", ("parks",)),
        ),
    ),
    (
        "QT",
        "其他",
        (("QT01", "其他事项", ("office",)),),
    ),
)
