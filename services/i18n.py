"""The catalogue of every UI string, Vietnamese first and English second, and `t()` to look one up."""

from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

# key: (Vietnamese, English). Parameters use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    # ---- app shell
    "app.title": ("5 biết, 3 hướng dẫn", "5 skills, 3 guides"),
    "app.tagline": (
        "Chiến dịch phổ cập kỹ năng dịch vụ công trực tuyến",
        "Online public services skills campaign",
    ),
    "lang.label": ("Ngôn ngữ", "Language"),
    "nav.home": ("Trang chủ", "Home"),
    "nav.account": ("Tài khoản", "Account"),
    "nav.admin_users": ("Người dùng", "Users"),
    "nav.admin_areas": ("Địa bàn", "Areas"),
    "nav.signout": ("Đăng xuất", "Sign out"),
    # ---- roles and vocabulary
    "role.admin": ("Quản trị", "Administrator"),
    "role.coordinator": ("Điều phối", "Coordinator"),
    "role.leader": ("Lãnh đạo", "Leader"),
    "role.volunteer": ("Tình nguyện viên", "Volunteer"),
    "level.province": ("Tỉnh/Thành phố", "Province"),
    "level.district": ("Huyện (dữ liệu cũ)", "District (older data)"),
    "level.commune": ("Xã/Phường", "Commune/Ward"),
    "level.village": ("Thôn/Tổ dân phố", "Village/Residential group"),
    "skill.submit": ("Nộp hồ sơ trực tuyến", "Submit a dossier online"),
    "skill.pay": ("Thanh toán trực tuyến", "Pay online"),
    "skill.feedback": ("Phản ánh, kiến nghị trực tuyến", "Send feedback online"),
    "skill.receive": ("Nhận kết quả trực tuyến", "Receive the result online"),
    "skill.apps": ("Cài đặt, sử dụng ứng dụng", "Install and use the apps"),
    "skill_level.0": ("Chưa biết", "Not yet"),
    "skill_level.1": ("Đã được hướng dẫn", "Guided"),
    "skill_level.2": ("Làm được khi có hỗ trợ", "Did it with help"),
    "skill_level.3": ("Tự làm được", "Does it alone"),
    "guide.guide_submit": ("Hướng dẫn nộp hồ sơ", "Guided to submit"),
    "guide.guide_pay": ("Hướng dẫn thanh toán", "Guided to pay"),
    "guide.guide_apps": ("Hướng dẫn cài đặt ứng dụng", "Guided to install apps"),
    # ---- sign-in
    "login.heading": ("Đăng nhập", "Sign in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    "login.locked": (
        "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Thử lại sau {minutes} phút.",
        "Account locked after too many wrong passwords. Try again in {minutes} minutes.",
    ),
    "login.inactive": ("Tài khoản đã ngừng hoạt động.", "This account is deactivated."),
    "login.idle_out": (
        "Bạn đã được đăng xuất sau {minutes} phút không thao tác.",
        "You were signed out after {minutes} idle minutes.",
    ),
    "login.signed_out": ("Đã đăng xuất.", "Signed out."),
    "login.need_fields": ("Nhập tên đăng nhập và mật khẩu.", "Enter a username and a password."),
    "login.forbidden_page": (
        "Vai trò của bạn không được mở trang này.",
        "Your role may not open this page.",
    ),
    # ---- errors
    "err.forbidden": ("Bạn không có quyền thực hiện việc này.", "You are not allowed to do this."),
    "err.out_of_scope": (
        "Địa bàn này nằm ngoài phạm vi được giao cho bạn.",
        "This area is outside the area assigned to you.",
    ),
    "err.not_found": ("Không tìm thấy dữ liệu.", "Not found."),
    "err.validation": ("Có {count} mục chưa hợp lệ.", "{count} entries are not valid."),
    "err.db_unavailable": (
        "Không kết nối được cơ sở dữ liệu. Dữ liệu bạn nhập vẫn còn, hãy thử lại.",
        "The database did not answer. Your input is kept; please try again.",
    ),
    "err.required": ("Bắt buộc nhập.", "Required."),
    "err.unknown_area": ("Không có địa bàn mã {code}.", "No area with code {code}."),
    "err.unknown_role": ("Vai trò không hợp lệ: {role}.", "Unknown role: {role}."),
    "err.username_taken": ("Tên đăng nhập {username} đã có người dùng.", "Username {username} is taken."),
    "err.username_format": (
        "Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới (3–64 ký tự).",
        "A username has 3–64 letters without diacritics, digits, dots or underscores.",
    ),
    "err.weak_password": (
        "Mật khẩu phải có ít nhất {min} ký tự.",
        "The password needs at least {min} characters.",
    ),
    "err.wrong_password": ("Mật khẩu hiện tại không đúng.", "The current password is wrong."),
    "err.volunteer_needs_team": (
        "Tình nguyện viên phải thuộc một tổ công nghệ số trong địa bàn.",
        "A volunteer must belong to a team within the area.",
    ),
    "err.team_outside_area": ("Tổ này không thuộc địa bàn đã chọn.", "That team is not in the chosen area."),
    "err.cannot_change_self": (
        "Không thể tự khóa hoặc hạ quyền tài khoản của chính mình.",
        "You cannot deactivate or demote your own account.",
    ),
    "err.area_level": ("Cấp địa bàn không hợp lệ: {level}.", "Unknown area level: {level}."),
    "err.area_parent_level": (
        "Địa bàn cấp {level} không thể trực thuộc cấp {parent}.",
        "An area of level {level} cannot sit under level {parent}.",
    ),
    "err.area_code": (
        "Mã địa bàn bắt buộc, tối đa 32 ký tự.",
        "An area code is required (32 characters at most).",
    ),
    "err.area_code_taken": ("Mã địa bàn {code} đã tồn tại.", "Area code {code} already exists."),
    "err.area_cycle": (
        "Không thể chuyển một địa bàn vào bên trong chính nó.",
        "An area cannot be moved inside itself.",
    ),
    "err.area_conflict": (
        "Địa bàn {code} đã có với cấp hoặc đơn vị cấp trên khác.",
        "Area {code} exists with another level or parent.",
    ),
    "err.empty_file": ("Tệp rỗng.", "The file is empty."),
    "err.missing_columns": ("Thiếu cột: {columns}.", "Missing columns: {columns}."),
    "err.duplicate_in_file": (
        "Mã {code} lặp lại (đã có ở dòng {other}).",
        "Code {code} is repeated (first on line {other}).",
    ),
    "err.visit_future": ("Ngày không được ở tương lai.", "The date cannot be in the future."),
    "err.visit_too_old": (
        "Chỉ ghi nhận được trong vòng {days} ngày trở lại.",
        "Only the last {days} days can be recorded.",
    ),
    "err.invalid_choice": ("Lựa chọn không hợp lệ.", "Not a valid choice."),
    "err.follow_up_before_visit": (
        "Ngày hẹn quay lại phải sau ngày đến.",
        "The follow-up date must come after the visit.",
    ),
    "err.invalid_form": (
        "Biểu mẫu đã hết hạn, hãy mở lại trang.",
        "This form has expired; open the page again.",
    ),
    "err.invalid_resident": (
        "Người dân này không thuộc hộ hoặc đã được chọn.",
        "This resident is not in the household or is listed twice.",
    ),
    "err.guidance_needs_done": (
        "Chỉ ghi hướng dẫn và kỹ năng khi buổi hướng dẫn đã diễn ra.",
        "Guidance and skills are recorded only when the visit took place.",
    ),
    "err.level_down_needs_reason": (
        "Hạ mức kỹ năng cần ghi lý do.",
        "Lowering a skill level needs a reason.",
    ),
    "err.invalid_member": (
        "Thành viên đi cùng không thuộc tổ của bạn.",
        "A teammate is not in your team.",
    ),
    # ---- home
    "home.heading": ("Xin chào, {name}", "Hello, {name}"),
    "home.scope": ("Địa bàn: {area}", "Area: {area}"),
    "home.households": ("Hộ dân", "Households"),
    "home.households_visited": ("Hộ đã đến", "Households visited"),
    "home.residents": ("Người dân", "Residents"),
    "home.residents_guided": ("Đã được hướng dẫn", "Guided"),
    "home.all_five": ("Thành thạo cả 5 kỹ năng", "Mastered all five"),
    "home.skill_table": ("Tỷ lệ tự làm được theo kỹ năng", "Share doing it alone, by skill"),
    "home.week_visits": ("Lượt hướng dẫn 7 ngày qua", "Visits in the last 7 days"),
    "home.my_team": ("Tổ của bạn: {team}", "Your team: {team}"),
    "home.my_villages": ("Thôn được giao: {villages}", "Assigned villages: {villages}"),
    "home.no_villages": ("Tổ chưa được giao thôn nào.", "Your team has no village assigned yet."),
    "home.children": ("Theo địa bàn trực thuộc", "By area below"),
    "home.col_area": ("Địa bàn", "Area"),
    "home.col_share": ("Tỷ lệ", "Share"),
    "home.empty": ("Chưa có dữ liệu trong địa bàn.", "No data in this area yet."),
    # ---- account
    "account.heading": ("Tài khoản của tôi", "My account"),
    "account.change_password": ("Đổi mật khẩu", "Change password"),
    "account.current": ("Mật khẩu hiện tại", "Current password"),
    "account.new": ("Mật khẩu mới", "New password"),
    "account.repeat": ("Nhập lại mật khẩu mới", "Repeat the new password"),
    "account.mismatch": ("Hai mật khẩu mới không khớp.", "The two new passwords differ."),
    "account.changed": (
        "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.",
        "Password changed. Other sign-ins were signed out.",
    ),
    "account.save": ("Lưu", "Save"),
    # ---- admin: users and areas (pages/admin_users.py, pages/admin_areas.py)
    "err.area_name_long": ("Tên địa bàn tối đa {max} ký tự.", "An area name has at most {max} characters."),
    "err.full_name_long": ("Họ tên tối đa {max} ký tự.", "A full name has at most {max} characters."),
    "admin_users.heading": ("Quản lý người dùng", "Users"),
    "admin_users.scope": ("Người dùng thuộc địa bàn {area}", "Users within {area}"),
    "admin_users.list": ("Danh sách người dùng", "All users"),
    "admin_users.empty": ("Chưa có người dùng nào.", "No users yet."),
    "admin_users.col_username": ("Tên đăng nhập", "Username"),
    "admin_users.col_name": ("Họ tên", "Full name"),
    "admin_users.col_role": ("Vai trò", "Role"),
    "admin_users.col_area": ("Địa bàn", "Area"),
    "admin_users.col_team": ("Tổ", "Team"),
    "admin_users.col_active": ("Đang hoạt động", "Active"),
    "admin_users.col_locked": ("Đang bị khóa", "Locked"),
    "admin_users.yes": ("Có", "Yes"),
    "admin_users.no": ("Không", "No"),
    "admin_users.create": ("Tạo người dùng mới", "Create a user"),
    "admin_users.role": ("Vai trò", "Role"),
    "admin_users.area": ("Địa bàn phụ trách", "Area"),
    "admin_users.username": ("Tên đăng nhập", "Username"),
    "admin_users.username_help": (
        "Chữ thường không dấu, số, dấu chấm hoặc gạch dưới, ví dụ: nguyen.van.an",
        "Lowercase letters without diacritics, digits, dots or underscores, e.g. nguyen.van.an",
    ),
    "admin_users.full_name": ("Họ và tên", "Full name"),
    "admin_users.team": ("Tổ công nghệ số", "Team"),
    "admin_users.team_pick": ("Chọn tổ", "Choose a team"),
    "admin_users.no_teams": (
        "Địa bàn này chưa có tổ công nghệ số nào; hãy tạo tổ trước.",
        "This area has no team yet; create one first.",
    ),
    "admin_users.password": ("Mật khẩu", "Password"),
    "admin_users.repeat": ("Nhập lại mật khẩu", "Repeat the password"),
    "admin_users.mismatch": ("Hai mật khẩu không khớp.", "The two passwords differ."),
    "admin_users.create_submit": ("Tạo người dùng", "Create user"),
    "admin_users.created": ("Đã tạo người dùng {username}.", "User {username} created."),
    "admin_users.manage": ("Quản lý một người dùng", "Manage a user"),
    "admin_users.pick": ("Người dùng", "User"),
    "admin_users.status": (
        "{role} · {area} · {active} · {locked}",
        "{role} · {area} · {active} · {locked}",
    ),
    "admin_users.active": ("đang hoạt động", "active"),
    "admin_users.inactive": ("đã ngừng hoạt động", "deactivated"),
    "admin_users.locked": ("đang bị khóa", "locked"),
    "admin_users.not_locked": ("không bị khóa", "not locked"),
    "admin_users.unlock": ("Mở khóa", "Unlock"),
    "admin_users.unlocked": ("Đã mở khóa tài khoản {username}.", "Account {username} unlocked."),
    "admin_users.deactivate": ("Ngừng hoạt động", "Deactivate"),
    "admin_users.deactivated": (
        "Đã ngừng hoạt động tài khoản {username}.",
        "Account {username} deactivated.",
    ),
    "admin_users.reactivate": ("Cho hoạt động lại", "Reactivate"),
    "admin_users.reactivated": (
        "Tài khoản {username} đã hoạt động trở lại.",
        "Account {username} reactivated.",
    ),
    "admin_users.self_note": (
        "Không thể ngừng hoạt động tài khoản của chính mình.",
        "You cannot deactivate your own account.",
    ),
    "admin_users.reset": ("Đặt lại mật khẩu", "Reset the password"),
    "admin_users.new_password": ("Mật khẩu mới", "New password"),
    "admin_users.reset_submit": ("Đặt lại mật khẩu", "Reset password"),
    "admin_users.reset_done": (
        "Đã đặt lại mật khẩu cho {username}; các phiên đăng nhập của người này đã bị đăng xuất.",
        "Password of {username} reset; their sign-ins were ended.",
    ),
    "admin_areas.heading": ("Quản lý địa bàn", "Areas"),
    "admin_areas.current": ("Địa bàn đang xem", "Area shown"),
    "admin_areas.children": ("Các địa bàn trực thuộc {name}", "Areas within {name}"),
    "admin_areas.no_children": ("Chưa có địa bàn trực thuộc.", "No areas below this one yet."),
    "admin_areas.col_code": ("Mã", "Code"),
    "admin_areas.col_name": ("Tên", "Name"),
    "admin_areas.col_level": ("Cấp", "Level"),
    "admin_areas.col_children": ("Số địa bàn con", "Areas below"),
    "admin_areas.col_households": ("Hộ dân", "Households"),
    "admin_areas.col_residents": ("Người dân", "Residents"),
    "admin_areas.col_guided": ("Đã được hướng dẫn", "Guided"),
    "admin_areas.add": ("Thêm", "Add"),
    "admin_areas.add_help": (
        "Thôn/tổ dân phố không có mã chính thức: có thể dùng <mã xã>-<số thứ tự>, ví dụ 10105-001.",
        "Villages have no official code: <commune code>-<number> serves, e.g. 10105-001.",
    ),
    "admin_areas.code": ("Mã địa bàn", "Area code"),
    "admin_areas.name": ("Tên địa bàn", "Area name"),
    "admin_areas.level": ("Cấp", "Level"),
    "admin_areas.parent": ("Trực thuộc", "Parent area"),
    "admin_areas.add_submit": ("Thêm địa bàn", "Add area"),
    "admin_areas.added": ("Đã thêm địa bàn {code}.", "Area {code} added."),
    "admin_areas.rename": ("Đổi tên", "Rename"),
    "admin_areas.rename_pick": ("Địa bàn cần đổi tên", "Area to rename"),
    "admin_areas.new_name": ("Tên mới", "New name"),
    "admin_areas.rename_submit": ("Đổi tên", "Rename"),
    "admin_areas.renamed": ("Đã đổi tên thành {name}.", "Renamed to {name}."),
    "admin_areas.move": ("Chuyển", "Move"),
    "admin_areas.move_pick": ("Địa bàn cần chuyển", "Area to move"),
    "admin_areas.new_parent": ("Mã địa bàn cấp trên mới", "Code of the new parent area"),
    "admin_areas.move_submit": ("Chuyển địa bàn", "Move area"),
    "admin_areas.moved": (
        "Đã chuyển {area} vào {parent}; số liệu tổng hợp đã được cập nhật.",
        "Moved {area} into {parent}; the totals follow it.",
    ),
    "admin_areas.nothing_to_move": (
        "Địa bàn đang xem không có địa bàn trực thuộc để chuyển.",
        "The area shown has no areas below it to move.",
    ),
    "admin_areas.import": ("Nhập từ CSV", "Import CSV"),
    "admin_areas.import_help": (
        "Tệp CSV có các cột code,name,level,parent_code (level: province, district, commune, village). "
        "Nhập tất cả hoặc không nhập gì; nhập lại cùng một tệp không thay đổi gì.",
        "A CSV file with columns code,name,level,parent_code (level: province, district, commune, "
        "village). All or nothing; importing the same file again changes nothing.",
    ),
    "admin_areas.upload": ("Chọn tệp CSV", "Choose a CSV file"),
    "admin_areas.preview_bad": (
        "Tệp có {count} lỗi; chưa nhập gì. Sửa các dòng dưới đây rồi tải lên lại.",
        "The file has {count} problems; nothing was imported. Fix these lines and upload it again.",
    ),
    "admin_areas.col_line": ("Dòng", "Line"),
    "admin_areas.col_column": ("Cột", "Column"),
    "admin_areas.col_problem": ("Lỗi", "Problem"),
    "admin_areas.preview_ok": (
        "Tệp hợp lệ: sẽ thêm {created}, đổi tên {renamed}, giữ nguyên {unchanged} địa bàn.",
        "The file is valid: {created} to add, {renamed} to rename, {unchanged} unchanged.",
    ),
    "admin_areas.will_create": ("Sẽ thêm: {codes}", "To add: {codes}"),
    "admin_areas.import_submit": ("Nhập vào hệ thống", "Import"),
    "admin_areas.imported": (
        "Đã nhập: thêm {created}, đổi tên {renamed}, giữ nguyên {unchanged} địa bàn.",
        "Imported: {created} added, {renamed} renamed, {unchanged} unchanged.",
    ),
    # ---- end of admin: users and areas
}


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The message in `lang`; an unknown key shows itself so a missing entry is visible, not fatal."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text
