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
