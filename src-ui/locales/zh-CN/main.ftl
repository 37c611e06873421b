## Pretzel UI: 简体中文（必须与 en 定义完全相同的 id）。

app-name = Pretzel
app-tagline = 无论来自哪里，这里都是你的校园。
app-loading = Pretzel 正在准备中…

## Log in

login-title = 欢迎回来
login-subtitle = 登录后即可查看课程、课程聊天室和校园动态。
login-email = 邮箱
login-password = 密码
login-submit = 登录
login-submitting = 正在登录…
login-no-account = 第一次使用 Pretzel？
login-go-signup = 创建账号

## Sign up

signup-title = 创建账号
signup-subtitle = 在你的学校认识来自世界各地的同学。
signup-email = 邮箱
signup-email-hint = 建议使用学校邮箱。
signup-password = 密码
signup-password-hint = 至少 { $min } 个字符。用一句短语更容易记住。
signup-display-name = 昵称
signup-display-name-hint = 同学们会看到这个名字。
signup-university = 学校
signup-university-placeholder = 请选择你的学校
signup-university-loading = 正在加载学校列表…
signup-university-retry = 重试
signup-submit = 创建账号
signup-submitting = 正在创建账号…
signup-have-account = 已经有账号了？
signup-go-login = 登录

## Settings (login screen and Me)

settings-server = 服务器设置
settings-server-url = 服务器地址
settings-server-hint = 仅当你的学校或社团运行自己的 Pretzel 服务器时才需要修改。
settings-server-save = 保存
settings-server-saving = 正在保存…
settings-server-saved = 已保存，Pretzel 现在使用此服务器。
settings-language = 语言
settings-language-system = 跟随系统
settings-language-hint = 选择 Pretzel 使用的语言。

## App frame

nav-label = 主导航
nav-feed = 动态
nav-timetable = 课程表
nav-chats = 聊天
nav-notifications = 通知
nav-me = 我的

## Coming soon

soon-badge = 即将推出
soon-heading = 即将上线的功能
feed-title = 校园动态
feed-body = 同校同学的帖子、活动和实用小贴士，都汇集在一个轻松友好的信息流里。
feed-point-events = 社团招新、文化之夜等身边的活动
feed-point-questions = 与其他国际学生互相提问和解答
feed-point-market = 同学分享的租房、教材和拼车信息
timetable-title = 一周课程一目了然
timetable-body = 只需添加一次课程，就能按校园所在时区随时知道下一节课在哪里上。
timetable-point-courses = 在学校课程目录中搜索课程
timetable-point-week = 清晰的周视图，教室和时间一览无余
timetable-point-remind = 上课前提醒
chats-title = 课程聊天室
chats-body = 每门课都有自己的聊天室，可以讨论作业、组建学习小组，还能结交朋友。
chats-point-rooms = 自动加入所选课程的聊天室
chats-point-offline = 离线时也能写消息，联网后自动发送
chats-point-languages = 用任何语言都能轻松聊天
notifications-title = 重要消息不错过
notifications-body = 回复、提及和课程变动集中在一处，不会漏掉任何消息。
notifications-point-mentions = 聊天中的提及和回复
notifications-point-classes = 课程和教室的变动
notifications-point-quiet = 贴合你作息的免打扰时段

## Me

me-university = 学校
me-member-since = 注册时间
me-offline = 离线
me-offline-hint = 当前显示的是已保存的资料，恢复联网后会自动更新。
me-settings = 设置
me-account = 账号
me-logout = 退出登录
me-logging-out = 正在退出…

## Errors (banners)

error-no-shell = 无法连接到 Pretzel 应用外壳。请从桌面端或手机端的 Pretzel 应用中打开并登录。
error-offline = 无法连接到 Pretzel 服务器。请检查网络连接或服务器地址，然后重试。
error-not-signed-in = 请先登录。
error-storage = Pretzel 无法在此设备上保存数据。请确认存储空间充足后重试。
error-internal = Pretzel 内部出现问题，请重试。
error-invalid-input = 你输入的部分内容无效，请检查后重试。
error-invalid-credentials = 邮箱或密码不正确，请检查后重试。
error-rate-limited = 尝试次数过多，请等待一分钟后再试。
error-session-expired = 登录已过期，请重新登录。
error-server-unavailable = Pretzel 服务器正在启动或维护中，请稍后再试。
error-server = 服务器出现问题，请重试。
error-generic = 出了点问题，请重试。
error-universities = 无法加载学校列表。
notice-signed-out = 你已退出登录，请重新登录。

## Field errors

field-required = 请填写此项。
field-invalid = 内容似乎不正确，请检查。
field-invalid-email = 请输入有效的邮箱地址，例如 name@school.edu。
field-email-taken = 该邮箱已注册，请直接登录。
field-password-too-short = 请至少输入 { $min } 个字符。
field-password-too-long = 最多只能输入 { $max } 个字符。
field-password-too-common = 这个密码太常见了，试试只有你知道的一句话。
field-display-name-too-long = 请不要超过 { $max } 个字符。
field-too-long = 内容太长了。
field-too-short = 内容太短了。
field-unknown-university = 请从列表中选择你的学校。
field-invalid-url = 请输入以 http:// 或 https:// 开头的完整地址。

## Me: timetable settings

me-timetable-settings = 课程表
me-home-zone = 家乡时区
me-home-zone-search = 搜索城市或地区
me-home-zone-unset = 未设置
me-home-zone-hint = 设置后，课程表可以按家乡时间显示课程。
me-student-visa = 我持有学生签证
me-student-visa-hint = 当主方案的学分低于全日制要求时，Pretzel 会提醒你。
me-saving = 正在保存…
me-saved = 已保存。

## Timetable

timetable-term = 学期
timetable-loading = 正在加载课程表…
timetable-no-terms = 你的学校还没有导入课程目录，请稍后再来看看。
timetable-offline = 你目前处于离线状态。更改已保存在本设备上，恢复联网后会自动发送。
timetable-synced-at = 上次同步
timetable-plans = 方案
timetable-plan-new = 新方案
timetable-plan-prefix = 方案
timetable-plan-name = 方案名称
timetable-plan-copy = 以当前方案的课程为基础
timetable-plan-create = 创建
timetable-plan-save = 保存
timetable-plan-rename = 重命名
timetable-plan-make-primary = 设为主方案
timetable-plan-primary = 主方案
timetable-plan-delete = 删除方案
timetable-plan-delete-confirm = 要删除这个方案及其中的所有内容吗？
timetable-plan-limit = 本学期的方案数量已达上限。
timetable-plan-empty = 还没有课程。搜索课程并添加吧。
timetable-cancel = 取消
timetable-close = 关闭
timetable-add = 添加
timetable-remove = 移除
timetable-in-plan = 已添加
timetable-removed = 已从课程目录中删除
timetable-overlap = 时间冲突
timetable-arranged = 时间另行安排
timetable-search-title = 添加课程
timetable-search-label = 搜索课程
timetable-search-placeholder = 课程代码、课程名称或教师
timetable-search-hint = 输入课程代码（如 "CS 225"）、课程名称或教师姓名。
timetable-search-none = 没有匹配的结果。试试减少关键词或筛选条件。
timetable-search-offline = 离线：显示已保存的结果
timetable-search-count = 显示 { $min } / { $max } 条
timetable-search-count-more = 显示 { $min } / { $max }+ 条
timetable-search-more = 显示更多
timetable-filters = 筛选
timetable-filters-clear = 清除筛选
timetable-filter-days = 星期
timetable-filter-after = 开始时间不早于
timetable-filter-before = 结束时间不晚于
timetable-filter-credits = 学分
timetable-filter-any = 不限
timetable-filter-subject = 院系代码
timetable-filter-open = 只看有空位的班级
timetable-seats = 座位
timetable-seats-open = 剩余 { $min } 个座位
timetable-seats-full = 已满
timetable-credits-unit = 学分
timetable-instructors = 教师
timetable-registration-id = 选课编号 (CRN)
timetable-pretzel-students = Pretzel 用户
timetable-students = { $min } 名同学已加入方案
timetable-missing-also = 这门课还需要：
timetable-missing-needs = 还需要
timetable-missing-find = 去找找
timetable-conflict-title = 课程时间冲突
timetable-conflict-body = 添加后以下安排会在同一时间：
timetable-conflict-confirm = 仍然添加
timetable-conflict-cancel = 取消
timetable-credits = 学分
timetable-credits-exact = { $max } 学分
timetable-credits-range = { $min }–{ $max } 学分
timetable-credits-full-time = 全日制要求：{ $min } 学分
timetable-visa-warning = 这个主方案最多只有 { $max } 学分，低于全日制最低要求的 { $min } 学分。学生签证通常要求全日制学习，请向国际学生办公室确认。
timetable-week-of = 周：
timetable-week-previous = 上一周
timetable-week-next = 下一周
timetable-week-today = 本周
timetable-week-empty = 本周没有课程。
timetable-zone = 时间
timetable-zone-campus = 校园时间
timetable-zone-home = 家乡时间
timetable-zone-shown = 时区：
timetable-zone-home-hint = 在“我的”中设置家乡时区后，即可按家乡时间查看课程。
timetable-clocks-change = 时钟调整（夏令时）日期：
timetable-unscheduled = 不在课表网格中的课程（时间另行安排或线上）
timetable-day-mon = 周一
timetable-day-tue = 周二
timetable-day-wed = 周三
timetable-day-thu = 周四
timetable-day-fri = 周五
timetable-day-sat = 周六
timetable-day-sun = 周日
timetable-kind-lecture = 讲课
timetable-kind-lab = 实验
timetable-kind-discussion = 讨论课
timetable-kind-seminar = 研讨课
timetable-kind-studio = 工作室课
timetable-kind-online = 线上
timetable-kind-independent-study = 独立研究
timetable-kind-research = 研究
timetable-kind-internship = 实习
timetable-kind-other = 其他
timetable-blocks-title = 我的日程
timetable-block-label = 日程内容
timetable-block-placeholder = 打工、通勤、健身…
timetable-block-start = 开始
timetable-block-end = 结束
timetable-block-add = 添加日程
timetable-block-need-label = 请给日程起个名字。
timetable-block-need-day = 请至少选择一天。
timetable-block-need-times = 结束时间必须晚于开始时间。
timetable-calendar-title = 日历
timetable-export = 导出 .ics
timetable-exporting = 正在导出…
timetable-exported = 已保存到
timetable-subscribe = 订阅
timetable-subscribing = 处理中…
timetable-feed-url = 私人日历地址
timetable-feed-hint = 粘贴到 Google 日历、Apple 日历或 Outlook 中。方案有变化时会同步更新。请不要分享给他人。
timetable-feed-open = 在日历应用中打开
timetable-feed-revoke = 作废地址
timetable-copy = 复制
timetable-copied = 已复制
timetable-copy-failed = 复制失败，请手动选择地址
timetable-pending-title = 等待同步
timetable-pending-waiting = 等待中
timetable-pending-failed = 失败
timetable-pending-discard = 放弃
timetable-pending-create = 新方案
timetable-pending-rename = 重命名方案
timetable-pending-primary = 更换主方案
timetable-pending-delete = 删除方案
timetable-pending-add = 添加 { $min } 个班级
timetable-pending-remove = 移除一个班级
timetable-pending-add-block = 添加日程
timetable-pending-remove-block = 移除日程
timetable-error-section-gone = 该班级已从课程目录中删除，无法添加。
timetable-error-state = 暂时无法执行（每个学期至少要保留一个方案）。
timetable-error-not-found = 该方案或班级已不存在。

## Chats

chats-empty-title = 还没有聊天室
chats-empty-body = 课程表里的每门课都有一个和同学交流的聊天室。在“课程表”标签页添加课程后，聊天室就会出现在这里。
chats-pick-room = 选择一个聊天室开始聊天。
chats-no-messages = 还没有消息，打个招呼吧！
chats-deleted = 此消息已被删除
chats-time-now = 刚刚
chats-time-minutes = { $min } 分钟前
chats-today = 今天
chats-yesterday = 昨天
chats-date = { $min }月{ $max }日
chats-day-date = { $min }月{ $max }日
chats-day-date-year = { $year }年{ $min }月{ $max }日
chats-room-counts = { $min ->
    [0] { $max } 名成员
   *[other] { $max } 名成员 · { $min } 人在线
}
chats-online-count = { $min } 人在线
chats-room-pending = 发送中…
chats-room-failed = 未发送
chats-muted = 已静音
chats-unread = { $min } 条未读消息
chats-connecting = 正在连接…
chats-offline = 离线 — 恢复连接后消息会自动发送。
chats-reconnecting-now = 正在重新连接…
chats-reconnecting-in = { $min } 秒后重新连接…
chats-loading-older = 正在加载更早的消息…
chats-beginning = 这是对话的开始。
chats-new-messages = 新消息
chats-back = 返回聊天室列表
chats-members = 成员
chats-you = 我
chats-mute = 静音
chats-unmute = 取消静音
chats-close = 关闭
chats-reply = 回复
chats-edit = 编辑
chats-delete = 删除
chats-report = 举报
chats-block = 屏蔽
chats-unblock = 取消屏蔽
chats-save = 保存
chats-cancel = 取消
chats-edited = 已编辑
chats-pending = 等待发送
chats-not-sent = 未发送：
chats-failed-too-long = 消息太长
chats-failed-empty = 消息为空
chats-failed-not-member = 你已不在这门课程中
chats-failed-rate-limited = 发送太频繁
chats-failed-other = 服务器拒绝了此消息
chats-retry = 重试
chats-discard = 放弃
chats-replying-to = 回复
chats-placeholder = 输入消息…
chats-send = 发送
chats-counter = { $min } / { $max }
chats-typing-one = {" "}正在输入…
chats-typing-several = { $min } 人正在输入…
chats-delete-title = 删除这条消息？
chats-delete-body = 聊天室里的所有人都会看到它已被删除。
chats-report-title = 举报这条消息？
chats-report-body = 管理员会进行审核。你可以说明原因（可选）。
chats-report-reason = 原因（可选）
chats-reported = 谢谢，管理员会查看。
nav-chats-unread = { $min } 条未读聊天消息
