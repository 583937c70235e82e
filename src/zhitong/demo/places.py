"""Place names for the demo: Wuchang's 14 streets, invented name stems, and station patterns."""

PROVINCE = ("420000", "湖北省")
CITY = ("420100", "武汉市")
DISTRICT = ("420106", "武昌区")

# Wuchang's 14 streets (街道), as named in the source report; their codes here are
# the demo's own (420106NNN000), not the official statistical codes.
WUCHANG_STREETS = (
    "积玉桥街道",
    "杨园街道",
    "徐家棚街道",
    "粮道街街道",
    "中华路街道",
    "黄鹤楼街道",
    "紫阳街道",
    "白沙洲街道",
    "首义路街道",
    "中南路街道",
    "水果湖街道",
    "珞珈山街道",
    "石洞街道",
    "南湖街道",
)

# Communities per street; sums to 143, the community stations of the source report.
COMMUNITIES_PER_STREET = (11, 9, 12, 8, 9, 8, 11, 10, 12, 11, 9, 13, 10, 10)
assert sum(COMMUNITIES_PER_STREET) == 143
assert len(COMMUNITIES_PER_STREET) == len(WUCHANG_STREETS)

# Central community stations (社区中心代表联络站) per street; sums to 26.
CENTRALS_PER_STREET = (2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2)
assert sum(CENTRALS_PER_STREET) == 26

# Street deputy groups: 13 for 14 streets, the last two streets share one group.
JOINT_STREET_GROUP = (12, 13)

# Task teams (专业小分队): two per street except one; sums to 27.
TASK_TEAMS_PER_STREET = (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2)
assert sum(TASK_TEAMS_PER_STREET) == 27

TASK_TEAM_TOPICS = (
    "物业管理",
    "老旧小区改造",
    "一老一小",
    "交通出行",
    "营商环境",
    "生态环保",
    "平安建设",
    "文明创建",
    "食品安全",
    "社区治理",
    "文化旅游",
    "民生实事监督",
)

# Invented two-character stems for communities, roads, buildings and companies.
NAME_STEMS = (  # noqa: SIM905 (one string reads better than 211 quoted items)
    "和平 友谊 临江 新河 滨江 团结 幸福 光明 前进 建设 红旗 东风 长青 康乐 安居 祥和 福星 金桥 "
    "银河 望江 观澜 江滨 滨湖 湖畔 紫荆 丁香 桂花 海棠 梅苑 桃园 杏林 柳岸 松涛 竹林 兰亭 荷塘 "
    "莲花 芙蓉 玉兰 翠柳 碧波 清源 明月 晨曦 朝阳 春晖 秋实 夏荷 冬青 新村 新华 振兴 繁荣 和谐 "
    "文昌 书院 学府 青山 南山 北山 东山 西园 南园 北园 东园 中和 上林 下塘 凤凰 麒麟 锦绣 华锦 "
    "华联 宏图 远航 启航 星河 云帆 长虹 彩虹 虹桥 石桥 板桥 木兰 蔷薇 紫薇 银杏 香樟 枫林 榆树 "
    "槐荫 杨柳 梧桐 樱花 茉莉 百合 山茶 金盆 玉泉 清泉 甘泉 龙泉 涌泉 碧水 秀水 绿水 白云 青云 "
    "祥云 彩云 瑞祥 吉祥 如意 同心 同兴 同德 丰收 丰华 新安 永安 长安 平安 泰和 怡和 宁和 瑞和 "
    "嘉园 雅园 怡园 颐园 乐园 惠民 便民 利民 裕民 安民 育才 英才 启明 开明 兴华 振华 中兴 东兴 "
    "西兴 南兴 北兴 江南 江北 湖东 湖西 湖南 湖北 沙洲 洲头 港湾 码头 渡口 桥头 堤角 岭南 "
    "金沙 银沙 白沙 黄沙 红星 新星 晓月 映月 望月 揽月 拾翠 聚贤 集贤 尚贤 崇文 尚德 厚德 "
    "明德 弘德 鸿福 鸿运 鸿图 宏达 通达 顺达 畅达 合力 众力 众诚 诚信 信义 仁和 仁爱 博爱 "
    "晴川 晴岚 翠微 翠湖 翠屏 锦江 锦城 锦程 鹏程 前程 远景 美景 丽景 胜景 新景 景和"
).split()

ROAD_SUFFIXES = ("路", "路", "路", "街", "大道", "巷")

BUILDING_SUFFIXES = ("大厦", "国际中心", "金融中心", "商务楼", "广场")
STREET_BLOCK_SUFFIXES = ("步行街", "美食街", "文化街", "商业街")
PARK_SUFFIXES = ("科技园", "创意产业园", "数字产业园", "产业园")

# Liaison points per kind: 22 building/street/park points and 3 heritage points.
POINTS = (("building", 9), ("street_block", 7), ("park", 6))
assert sum(n for _, n in POINTS) == 22
HERITAGE_POINTS = 3
# Wuchang's heritage points sit in the streets named after the sites (indexes into
# WUCHANG_STREETS: 黄鹤楼, 首义路, 粮道街).
WUCHANG_HERITAGE_STREETS = (5, 8, 3)

# Opening hours by kind of station, written as the office writes them; the rota is built on
# the days and periods they open (zhitong.stations.hours reads them). Four choices each, so
# the draw takes as much of the random stream whatever the kind.
OPENING_HOURS = {
    # Studios: every working day, all day.
    "studio": (
        "工作日 9:00-12:00，14:30-17:30",
        "周一至周五 9:00-17:00；每月20日代表统一活动日全天接待",
        "工作日 8:30-12:00，14:30-18:00",
        "周一至周五 9:00-12:00，14:30-17:30；每月20日代表统一活动日全天接待",
    ),
    # Central stations: working days, and the deputies' evening (代表夜话) on Wednesdays.
    "central": (
        "工作日 9:00-12:00，14:30-17:30；周三晚上 19:00-21:00 代表夜话",
        "周一至周五 9:00-17:00；周三 19:00-21:00 代表夜话",
        "工作日 8:30-12:00，14:30-18:00；周三晚上 19:00-21:00 代表夜话",
        "周一至周五 9:00-17:00；周三晚上 19:00-21:00 代表夜话；每月20日代表统一活动日",
    ),
    # Community stations: working days, some also Saturday morning.
    "community": (
        "工作日 9:00-12:00，14:30-17:30",
        "周一至周五 9:00-17:00；每月20日代表统一活动日全天接待",
        "工作日 8:30-12:00，14:30-18:00；周六上午 9:00-11:30",
        "工作日 9:00-12:00，14:30-17:30",
    ),
    # Liaison points: two afternoons a week.
    "point": (
        "周二、周四 14:30-17:30；其他时间请预约",
        "周二、周四 14:30-17:30；其他时间请预约",
        "周二、周四 15:00-17:30；其他时间请电话预约",
        "周二、周四 14:00-17:00；其他时间请预约",
    ),
}

INTERNAL_NOTES = (
    "",
    "",
    "钥匙由社区党群服务中心值班室保管。",
    "场地与社区党群服务中心共用，活动请提前两天预约。",
    "所在楼宇物业联系人见值班表。",
)
