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
    "login.session_ended": (
        "Phiên đăng nhập đã kết thúc (mật khẩu vừa được đổi hoặc tài khoản bị khóa). Hãy đăng nhập lại.",
        "Your sign-in ended (the password was changed or the account deactivated). Please sign in again.",
    ),
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
    "err.db_unavailable_page": (
        "Không kết nối được cơ sở dữ liệu. Hãy kiểm tra mạng rồi bấm «Thử lại»; "
        "nếu vẫn lỗi, báo quản trị viên.",
        "The database did not answer. Check the network and press «Try again»; "
        "if it persists, tell the administrator.",
    ),
    "err.db_config": (
        "Cấu hình cơ sở dữ liệu (DATABASE_URL) không hợp lệ. Hãy báo quản trị viên.",
        "The database setting (DATABASE_URL) is not valid. Please tell the administrator.",
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
    # ---- printed and video material (pages/leaflets.py, pages/videos.py, services/printing.py)
    "nav.leaflets": ("Tờ rơi", "Leaflets"),
    "nav.videos": ("Video hướng dẫn", "How-to videos"),
    "err.unknown_leaflet": ("Không có tờ rơi mã {id}.", "No leaflet with id {id}."),
    "err.print_area_level": (
        "Chỉ in tờ rơi theo xã/phường hoặc thôn/tổ dân phố.",
        "Leaflets are addressed from a commune or a village only.",
    ),
    "err.print_not_village": ("Hãy chọn một thôn/tổ dân phố.", "Choose a village."),
    "err.print_copies": ("Số bản in từ 1 đến {max}.", "Copies must be between 1 and {max}."),
    "err.print_size": ("Khổ giấy {size} không hợp lệ (A4 hoặc A5).", "Paper size {size} is not A4 or A5."),
    "err.print_no_households": (
        "Thôn này chưa có hộ nào để in.",
        "This village has no households to print.",
    ),
    "leaflets.heading": ("Tờ rơi và phiếu in", "Leaflets and printed sheets"),
    "leaflets.pick": ("Tờ rơi", "Leaflet"),
    "leaflets.size": ("Khổ giấy", "Paper size"),
    "leaflets.commune": ("Ghi tên địa bàn và số liên hệ của", "Print the name and contacts of"),
    "leaflets.no_place": ("(không ghi địa bàn)", "(no area)"),
    "leaflets.skill": ("Kỹ năng: {skill}", "Skill: {skill}"),
    "leaflets.general": ("Tờ rơi chung", "General leaflet"),
    "leaflets.preview": ("Xem trước nội dung", "Preview"),
    "leaflets.qr_list": ("Mã QR trên tờ rơi", "QR codes on the leaflet"),
    "leaflets.download": ("Tải tờ rơi (PDF)", "Download the leaflet (PDF)"),
    "leaflets.field_heading": ("Phiếu hộ gia đình và phiếu đi hộ", "Household cards and visit sheets"),
    "leaflets.village": ("Thôn/Tổ dân phố", "Village"),
    "leaflets.no_villages": (
        "Chưa có thôn nào trong phạm vi của bạn.",
        "There is no village within your scope.",
    ),
    "leaflets.make_cards": ("Tạo phiếu hộ gia đình", "Make household cards"),
    "leaflets.make_sheets": ("Tạo phiếu đi hộ", "Make visit sheets"),
    "leaflets.make_batch": ("Tạo bộ tờ rơi cho thôn", "Make the village's leaflet set"),
    "leaflets.cards_download": ("Tải phiếu hộ gia đình (PDF)", "Download household cards (PDF)"),
    "leaflets.sheets_download": ("Tải phiếu đi hộ (PDF)", "Download visit sheets (PDF)"),
    "leaflets.batch_download": ("Tải bộ tờ rơi (PDF)", "Download the leaflet set (PDF)"),
    "leaflets.sheet_ids": ("Số phiếu: {ids}", "Sheet numbers: {ids}"),
    "leaflets.copies": ("Số bản mỗi tờ", "Copies of each"),
    "videos.heading": ("Video hướng dẫn", "How-to videos"),
    "videos.filter_skill": ("Kỹ năng", "Skill"),
    "videos.all_skills": ("Tất cả kỹ năng", "All skills"),
    "videos.open_link": ("Mở: {url}", "Open: {url}"),
    "videos.captions": ("Nội dung video", "What the video says"),
    "videos.qr_caption": ("Quét để mở trên điện thoại", "Scan to open on a phone"),
    "videos.empty": ("Chưa có video cho kỹ năng này.", "No video for this skill yet."),
    "videos.leaflets": ("Tờ rơi cùng kỹ năng: {titles}", "Leaflets for this skill: {titles}"),
    # ---- end of printed and video material
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
    # ---- teams and quotas (Tổ công nghệ số, Chỉ tiêu)
    "nav.teams": ("Tổ công nghệ số", "Digital technology teams"),
    "nav.quotas": ("Chỉ tiêu", "Quotas"),
    "kind.officer": ("Cán bộ, công chức", "Officer"),
    "kind.youth_union": ("Đoàn viên thanh niên", "Youth union member"),
    "kind.teacher": ("Giáo viên", "Teacher"),
    "kind.police": ("Công an", "Police"),
    "kind.other": ("Khác", "Other"),
    "team.size_warning": (
        "Tổ có {count} thành viên, vượt mức khuyến nghị {limit} người.",
        "The team has {count} members, more than the recommended {limit}.",
    ),
    "team.err_too_long": ("Tối đa {max} ký tự.", "At most {max} characters."),
    "team.err_phone": (
        "Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 (hoặc +84).",
        "A phone number has 10–11 digits starting with 0 (or +84).",
    ),
    "team.err_area_level": (
        "Tổ chỉ thuộc một xã/phường hoặc một thôn/tổ dân phố.",
        "A team belongs to a commune or a village.",
    ),
    "team.err_user_linked": (
        "Tài khoản này đã gắn với một thành viên khác.",
        "This account is already linked to another member.",
    ),
    "team.err_user_other_team": (
        "Tài khoản này thuộc một tổ khác.",
        "This account belongs to another team.",
    ),
    "team.err_village_outside": (
        "Chỉ giao được thôn thuộc xã/phường của tổ.",
        "Only villages of the team's commune can be assigned.",
    ),
    "team.err_need_commune": ("Chọn một xã/phường.", "Choose a commune."),
    "team.err_no_teams": (
        "Xã/phường chưa có tổ nào đang hoạt động có thành viên.",
        "The commune has no active team with members.",
    ),
    "team.err_team_outside": ("Tổ không thuộc xã/phường này.", "A team is not in this commune."),
    "teams.heading": ("Tổ công nghệ số cộng đồng", "Community digital technology teams"),
    "teams.empty": ("Chưa có tổ nào.", "No teams yet."),
    "teams.read_only": ("Chỉ xem.", "Read only."),
    "teams.col_name": ("Tên tổ", "Team"),
    "teams.col_area": ("Địa bàn", "Area"),
    "teams.col_members": ("Thành viên", "Members"),
    "teams.col_villages": ("Số thôn", "Villages"),
    "teams.col_active": ("Hoạt động", "Active"),
    "teams.new": ("Thêm tổ mới", "New team"),
    "teams.name": ("Tên tổ", "Team name"),
    "teams.area": ("Thuộc địa bàn", "Area"),
    "teams.create": ("Tạo tổ", "Create team"),
    "teams.created": ("Đã tạo tổ.", "Team created."),
    "teams.pick": ("Chọn tổ", "Choose a team"),
    "teams.edit": ("Sửa thông tin tổ", "Edit team"),
    "teams.active": ("Đang hoạt động", "Active"),
    "teams.save": ("Lưu", "Save"),
    "teams.saved": ("Đã lưu.", "Saved."),
    "teams.members": ("Thành viên", "Members"),
    "teams.no_members": ("Tổ chưa có thành viên.", "The team has no members yet."),
    "teams.col_full_name": ("Họ và tên", "Full name"),
    "teams.col_kind": ("Thành phần", "Kind"),
    "teams.col_phone": ("Điện thoại", "Phone"),
    "teams.col_user": ("Tài khoản", "Account"),
    "teams.col_leader": ("Tổ trưởng", "Leader"),
    "teams.member_pick": ("Thành viên cần sửa", "Member to edit"),
    "teams.member_new": ("— Thêm thành viên mới —", "— Add a new member —"),
    "teams.full_name": ("Họ và tên", "Full name"),
    "teams.kind": ("Thành phần", "Kind"),
    "teams.phone": ("Số điện thoại", "Phone"),
    "teams.user": ("Tài khoản đăng nhập", "Sign-in account"),
    "teams.no_user": ("(không gắn)", "(none)"),
    "teams.is_leader": ("Tổ trưởng", "Team leader"),
    "teams.member_active": ("Đang tham gia", "Active"),
    "teams.member_save": ("Lưu thành viên", "Save member"),
    "teams.member_saved": ("Đã lưu thành viên.", "Member saved."),
    "teams.villages": ("Thôn được giao", "Assigned villages"),
    "teams.no_villages": ("Tổ chưa được giao thôn nào.", "No village assigned yet."),
    "teams.villages_save": ("Lưu thôn được giao", "Save villages"),
    "teams.villages_saved": ("Đã lưu thôn được giao.", "Villages saved."),
    "teams.balance": ("Cân đối địa bàn giữa các tổ", "Balance villages across teams"),
    "teams.balance_help": (
        "Đề xuất giao mỗi thôn cho một tổ sao cho số hộ trên mỗi thành viên đồng đều. "
        "Xem lại trước khi áp dụng.",
        "Proposes one team per village so households per member even out. Review before applying.",
    ),
    "teams.balance_commune": ("Xã/phường", "Commune"),
    "teams.balance_propose": ("Đề xuất", "Propose"),
    "teams.balance_apply": ("Áp dụng đề xuất", "Apply the proposal"),
    "teams.balance_applied": ("Đã áp dụng phân công mới.", "The new assignment is applied."),
    "teams.col_before": ("Số hộ hiện nay", "Households now"),
    "teams.col_after": ("Số hộ theo đề xuất", "Households proposed"),
    "teams.col_per_before": ("Hộ/thành viên hiện nay", "Per member now"),
    "teams.col_per_after": ("Hộ/thành viên theo đề xuất", "Per member proposed"),
    "teams.col_village": ("Thôn", "Village"),
    "teams.col_households": ("Số hộ", "Households"),
    "teams.col_team_after": ("Tổ đề xuất", "Proposed team"),
    "quota.err_pct": ("Tỷ lệ từ 0 đến 100%.", "A share from 0 to 100%."),
    "quota.err_end_before_start": (
        "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
        "The end date cannot be before the start date.",
    ),
    "quota.err_skill_required": (
        "Chỉ tiêu theo kỹ năng cần chọn kỹ năng.",
        "A skill quota needs a skill.",
    ),
    "quota.err_negative": ("Chỉ tiêu không được âm.", "A target cannot be negative."),
    "quota.err_owner_outside": (
        "Đối tượng giao chỉ tiêu không thuộc địa bàn của đợt.",
        "This is outside the campaign's area.",
    ),
    "quota.err_total_changed": (
        "Tổng sau khi sửa là {sum}, khác tổng ban đầu {total}. Sửa lại hoặc đánh dấu chấp nhận tổng mới.",
        "The edited parts add up to {sum}, not {total}. Fix them or accept the new total.",
    ),
    "metric.households_visited": ("Số hộ đã đến", "Households visited"),
    "metric.residents_guided": ("Số người được hướng dẫn", "Residents guided"),
    "metric.skill_mastered": ("Số người tự làm được kỹ năng", "Residents mastering a skill"),
    "metric.all_five": ("Số người thành thạo cả 5 kỹ năng", "Residents mastering all five"),
    "metric.online_dossiers": ("Số hồ sơ trực tuyến", "Online dossiers"),
    "owner.area": ("Thôn", "Village"),
    "owner.team": ("Tổ", "Team"),
    "owner.member": ("Thành viên", "Member"),
    "method.households": ("Theo số hộ", "By households"),
    "method.residents": ("Theo số dân", "By residents"),
    "method.even": ("Chia đều", "Evenly"),
    "quotas.heading": ("Chỉ tiêu", "Quotas"),
    "quotas.no_campaign": ("Chưa có đợt chiến dịch nào.", "No campaign yet."),
    "quotas.campaign": ("Đợt chiến dịch", "Campaign"),
    "quotas.new_campaign": ("Tạo đợt chiến dịch", "New campaign"),
    "quotas.c_name": ("Tên đợt", "Name"),
    "quotas.c_area": ("Địa bàn", "Area"),
    "quotas.c_starts": ("Ngày bắt đầu", "Start date"),
    "quotas.c_ends": ("Ngày kết thúc", "End date"),
    "quotas.c_guided_pct": ("Mục tiêu: % người được hướng dẫn", "Target: % residents guided"),
    "quotas.c_all_five_pct": ("Mục tiêu: % thành thạo cả 5 kỹ năng", "Target: % mastering all five"),
    "quotas.c_dossier_pct": ("Mục tiêu: % hồ sơ trực tuyến", "Target: % online dossiers"),
    "quotas.c_create": ("Tạo đợt", "Create campaign"),
    "quotas.c_created": ("Đã tạo đợt chiến dịch.", "Campaign created."),
    "quotas.period": ("{area}: {start} – {end}", "{area}: {start} – {end}"),
    "quotas.targets": ("Mục tiêu: {targets}", "Targets: {targets}"),
    "quotas.progress": ("Tiến độ", "Progress"),
    "quotas.no_quotas": ("Đợt này chưa giao chỉ tiêu.", "No quotas in this campaign yet."),
    "quotas.at_risk_count": (
        "{count} chỉ tiêu có nguy cơ không đạt theo tiến độ hiện nay.",
        "{count} quotas will fall short at the current pace.",
    ),
    "quotas.col_owner": ("Giao cho", "Assigned to"),
    "quotas.col_kind": ("Loại", "Kind"),
    "quotas.col_metric": ("Chỉ tiêu", "Metric"),
    "quotas.col_target": ("Chỉ tiêu giao", "Target"),
    "quotas.col_progress": ("Đã đạt", "Done"),
    "quotas.col_share": ("Tỷ lệ", "Share"),
    "quotas.col_projected": ("Dự kiến đến cuối đợt", "Projected at the end"),
    "quotas.col_status": ("Tình trạng", "Status"),
    "quotas.at_risk": ("Nguy cơ không đạt", "At risk"),
    "quotas.on_track": ("Đúng tiến độ", "On track"),
    "quotas.cascade": ("Phân bổ chỉ tiêu", "Split a target"),
    "quotas.metric": ("Chỉ tiêu", "Metric"),
    "quotas.skill": ("Kỹ năng", "Skill"),
    "quotas.owner_kind": ("Giao xuống", "Split down to"),
    "quotas.method": ("Cách chia", "Split"),
    "quotas.team": ("Chỉ thành viên của tổ", "Only members of team"),
    "quotas.all_teams": ("(tất cả các tổ)", "(all teams)"),
    "quotas.total": ("Tổng chỉ tiêu", "Total target"),
    "quotas.col_name": ("Tên", "Name"),
    "quotas.col_weight": ("Căn cứ chia", "Weight"),
    "quotas.sum_now": ("Tổng hiện tại: {sum} / {total}", "Current sum: {sum} / {total}"),
    "quotas.accept_total": ("Chấp nhận tổng mới", "Accept the new total"),
    "quotas.save": ("Lưu chỉ tiêu", "Save quotas"),
    "quotas.saved": ("Đã lưu {count} chỉ tiêu.", "{count} quotas saved."),
    "quotas.nothing_to_split": ("Không có đối tượng để chia.", "Nothing to split into."),
    "quotas.line": ("Dòng {line}: {message}", "Line {line}: {message}"),
    # ---- end of teams and quotas
    # ---- volunteer journey: worklist, search, households on the spot, visit corrections
    "journey.too_long": ("Tối đa {max} ký tự.", "At most {max} characters."),
    "journey.birth_year_range": (
        "Năm sinh phải từ {min} đến {max}.",
        "The birth year must be between {min} and {max}.",
    ),
    "journey.phone_invalid": (
        "Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 (hoặc +84).",
        "A phone number has 10–11 digits starting with 0 (or +84).",
    ),
    "journey.code_format": (
        "Mã hộ chỉ gồm chữ không dấu, số và dấu gạch (tối đa {max} ký tự).",
        "A household code has letters without diacritics, digits and dashes ({max} characters at most).",
    ),
    "journey.code_taken": ("Mã hộ {code} đã có.", "Household code {code} already exists."),
    "journey.visit_not_yours": (
        "Chỉ người ghi nhận hoặc cán bộ điều phối được sửa lượt hướng dẫn này.",
        "Only the person who recorded this visit or a coordinator may change it.",
    ),
    "journey.visit_withdrawn": ("Lượt hướng dẫn này đã được rút lại.", "This visit was withdrawn."),
    "journey.correction_closed": (
        "Chỉ sửa hoặc rút lại được trong vòng {days} ngày kể từ ngày hướng dẫn.",
        "A visit can be corrected or withdrawn only within {days} days of the visit.",
    ),
    "journey.duplicate_warning": (
        "Có thể người này đã có trong danh sách:",
        "This person may already be listed:",
    ),
    "journey.tag.overdue": ("Quá hẹn quay lại", "Revisit overdue"),
    "journey.tag.due": ("Hẹn quay lại hôm nay", "Revisit due today"),
    "journey.tag.never": ("Chưa hướng dẫn", "Not visited yet"),
    "journey.tag.visited": ("Đã hướng dẫn", "Visited"),
    "journey.match.code": ("Mã hộ", "Household code"),
    "journey.match.name": ("Họ tên", "Name"),
    "journey.match.phone": ("Số điện thoại", "Phone"),
    "journey.match.address": ("Địa chỉ", "Address"),
    "journey.search_empty": ("Không tìm thấy hộ nào phù hợp.", "No household matches."),
    # ---- volunteer journey pages (pages/visit.py, pages/session.py, pages/my_visits.py)
    "nav.visit": ("Ghi nhận", "Log a visit"),
    "nav.session": ("Buổi sinh hoạt", "Group session"),
    "nav.my_visits": ("Lượt ghi nhận của tôi", "My recent visits"),
    "journey.worklist": ("Hộ cần đến", "Households to visit"),
    "journey.team": ("Tổ", "Team"),
    "journey.all_teams": ("Mọi tổ trong địa bàn", "Every team in the area"),
    "journey.search": (
        "Tìm hộ (tên, mã hộ, địa chỉ, số điện thoại)",
        "Find a household (name, code, address, phone)",
    ),
    "journey.search_hint": ("Gõ có dấu hay không dấu đều được", "With or without diacritics"),
    "journey.residents_n": ("{n} người", "{n} people"),
    "journey.last_visit": ("Lần đến gần nhất {date}", "Last visit {date}"),
    "journey.never_visited": ("Chưa đến lần nào", "Never visited"),
    "journey.follow_up_at": ("Hẹn quay lại {date}", "Follow-up {date}"),
    "journey.page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "journey.prev": ("Trang trước", "Previous"),
    "journey.next_page": ("Trang sau", "Next"),
    "journey.worklist_empty": ("Chưa có hộ nào được giao.", "No households assigned yet."),
    "journey.back": ("Về danh sách hộ", "Back to the list"),
    "journey.head": ("chủ hộ", "head"),
    "journey.visited_on": ("Ngày", "Date"),
    "journey.place": ("Nơi", "Place"),
    "journey.place.home": ("Tại nhà", "At home"),
    "journey.place.counter": ("Một cửa", "Counter"),
    "journey.place.community": ("Nhà văn hóa", "Cultural house"),
    "journey.outcome": ("Kết quả", "Outcome"),
    "journey.outcome.done": ("Đã hướng dẫn", "Done"),
    "journey.outcome.nobody_home": ("Không có ai", "Nobody home"),
    "journey.outcome.refused": ("Từ chối", "Refused"),
    "journey.outcome.come_back": ("Hẹn lại", "Come back"),
    "journey.members": ("Đi cùng", "Went with"),
    "journey.members_pick": ("Chọn người đi cùng", "Pick teammates"),
    "journey.follow_up_on": ("Hẹn quay lại", "Follow-up"),
    "journey.notes": ("Ghi chú", "Notes"),
    "journey.present": ("có mặt", "present"),
    "journey.guidance": ("Đã hướng dẫn", "Guidance given"),
    "journey.guide_short.guide_submit": ("Nộp hồ sơ", "Submit"),
    "journey.guide_short.guide_pay": ("Thanh toán", "Pay"),
    "journey.guide_short.guide_apps": ("Cài ứng dụng", "Apps"),
    "journey.skill_short.submit": ("Nộp HS", "Submit"),
    "journey.skill_short.pay": ("T.toán", "Pay"),
    "journey.skill_short.feedback": ("Phản ánh", "Feedback"),
    "journey.skill_short.receive": ("Nhận KQ", "Receive"),
    "journey.skill_short.apps": ("Ứ.dụng", "Apps"),
    "journey.ladder_legend": (
        "Mức kỹ năng: 0 chưa biết · 1 đã được hướng dẫn · 2 làm được khi có hỗ trợ · 3 tự làm được",
        "Skill level: 0 not yet · 1 guided · 2 did it with help · 3 does it alone",
    ),
    "journey.reason_for": ("Lý do hạ mức «{skill}»", "Why «{skill}» went down"),
    "journey.more": ("Mã hồ sơ, khó khăn", "Dossier code, barriers"),
    "journey.evidence": ("Mã hồ sơ đã nộp trong buổi (nếu có)", "Dossier code submitted (if any)"),
    "journey.barrier.has_smartphone": ("Điện thoại thông minh", "Smartphone"),
    "journey.barrier.phone_own_name": ("SĐT chính chủ", "Phone in own name"),
    "journey.barrier.vneid_level": ("VNeID", "VNeID"),
    "journey.barrier.has_payment_account": ("Tài khoản thanh toán", "Payment account"),
    "journey.yes": ("Có", "Yes"),
    "journey.no": ("Không", "No"),
    "journey.not_asked": ("Chưa hỏi", "Not asked"),
    "journey.vneid.0": ("Chưa có", "None"),
    "journey.vneid.1": ("Mức 1", "Level 1"),
    "journey.vneid.2": ("Mức 2", "Level 2"),
    "journey.lacks": ("Thiếu: {items}", "Lacks: {items}"),
    "journey.next_for": ("Tiếp theo: {skill}", "Next: {skill}"),
    "journey.all_mastered": ("Đã tự làm được cả 5 kỹ năng.", "Does all five alone."),
    "journey.leaflet": ("Tờ rơi", "Leaflet"),
    "journey.video": ("Video", "Video"),
    "journey.save": ("Lưu lượt hướng dẫn", "Save the visit"),
    "journey.retry": ("Thử lại", "Try again"),
    "journey.save_failed_db": (
        "Chưa lưu được: cơ sở dữ liệu đang bận hoặc mất kết nối. Mọi thông tin vẫn giữ nguyên — "
        "bấm «Thử lại» (không tạo lượt trùng).",
        "Not saved: the database is busy or unreachable. Everything you entered is kept — "
        "press «Try again» (no duplicate will be created).",
    ),
    "journey.save_failed_fields": (
        "Chưa lưu được: sửa các mục báo đỏ rồi bấm lưu lại. Mọi thông tin vẫn giữ nguyên.",
        "Not saved: fix the fields marked in red and save again. Everything you entered is kept.",
    ),
    "journey.saved": ("Đã lưu lượt hướng dẫn hộ {code}.", "Visit to household {code} saved."),
    "journey.show_next": ("Lần tới nên hướng dẫn", "What to show next"),
    "journey.open_my_visits": ("Lượt ghi nhận của tôi", "My recent visits"),
    "journey.no_residents": (
        "Hộ chưa có người dân nào: thêm người bên dưới.",
        "No residents yet: add one below.",
    ),
    "journey.add_resident": ("Thêm người vào hộ", "Add a resident"),
    "journey.add_household": ("Thêm hộ mới", "Add a household"),
    "journey.full_name": ("Họ tên", "Full name"),
    "journey.birth_year": ("Năm sinh", "Birth year"),
    "journey.phone": ("Số điện thoại", "Phone"),
    "journey.address": ("Địa chỉ", "Address"),
    "journey.village": ("Thôn/Tổ dân phố", "Village"),
    "journey.head_name": ("Họ tên chủ hộ", "Head of household"),
    "journey.add": ("Thêm", "Add"),
    "journey.create_anyway": ("Vẫn thêm mới", "Add anyway"),
    "journey.duplicate_line": (
        "{name} ({year}) · hộ {code} · {village}",
        "{name} ({year}) · household {code} · {village}",
    ),
    "journey.resident_added": ("Đã thêm {name}.", "{name} added."),
    "journey.household_added": ("Đã thêm hộ {code}.", "Household {code} added."),
    "journey.session_heading": ("Buổi sinh hoạt, hướng dẫn tập trung", "Group session"),
    "journey.session_place": ("Địa điểm", "Where"),
    "journey.session_place.community": ("Nhà văn hóa {name}", "Cultural house, {name}"),
    "journey.session_place.counter": ("Bộ phận một cửa {name}", "One-stop counter, {name}"),
    "journey.no_places": ("Chưa có địa bàn nào được giao.", "No area assigned yet."),
    "journey.attendees": ("Người tham dự: {n}", "Attendees: {n}"),
    "journey.no_attendees": ("Tìm và thêm người tham dự.", "Find and add attendees."),
    "journey.add_person": ("Thêm {name}", "Add {name}"),
    "journey.whole_household": ("Chọn trong hộ {code}", "Pick from {code}"),
    "journey.remove": ("Bỏ", "Remove"),
    "journey.walk_in": ("Người mới (thêm vào hộ {code})", "Walk-in (add to {code})"),
    "journey.session_saved": ("Đã lưu buổi sinh hoạt với {n} người.", "Session with {n} people saved."),
    "journey.today": ("Hôm nay", "Today"),
    "journey.this_week": ("7 ngày qua", "Last 7 days"),
    "journey.my_visits_empty": (
        "Chưa có lượt ghi nhận nào trong 7 ngày qua.",
        "No visits in the last 7 days.",
    ),
    "journey.visit_session": ("Buổi sinh hoạt · {area}", "Session · {area}"),
    "journey.withdrawn_tag": ("Đã rút lại", "Withdrawn"),
    "journey.by_other": ("người khác ghi", "recorded by someone else"),
    "journey.edit": ("Sửa", "Edit"),
    "journey.withdraw": ("Rút lại", "Withdraw"),
    "journey.withdraw_reason": ("Lý do rút lại", "Why withdraw it"),
    "journey.withdraw_confirm": ("Xác nhận rút lại", "Withdraw it"),
    "journey.cancel": ("Hủy", "Cancel"),
    "journey.save_correction": ("Lưu chỉnh sửa", "Save the correction"),
    "journey.corrected": ("Đã sửa lượt hướng dẫn.", "Visit corrected."),
    "journey.withdrawn_done": ("Đã rút lại lượt hướng dẫn.", "Visit withdrawn."),
    "journey.correcting": ("Sửa lượt ngày {date} · {where}", "Correcting the visit of {date} · {where}"),
    # ---- end of volunteer journey pages
    # ---- demo data (manage.py seed-demo)
    "seed.not_empty": (
        "Cơ sở dữ liệu đã có dữ liệu (địa bàn): không tạo dữ liệu mẫu để tránh trùng lặp. "
        "Dùng --if-empty để bỏ qua trong trường hợp này.",
        "The database already holds data (areas): no demo data was added, to avoid duplicates. "
        "Use --if-empty to skip quietly in that case.",
    ),
    "seed.skipped": (
        "Cơ sở dữ liệu đã có dữ liệu: bỏ qua tạo dữ liệu mẫu.",
        "The database already holds data: demo data skipped.",
    ),
    "seed.no_schema": (
        'Cơ sở dữ liệu chưa được khởi tạo: chạy "python manage.py init-db" trước.',
        'The database has no tables yet: run "python manage.py init-db" first.',
    ),
    "seed.started": (
        "Đang tạo dữ liệu mẫu (quy mô {scale}, seed {seed})…",
        "Creating demo data (scale {scale}, seed {seed})…",
    ),
    "seed.report": (
        "Đã tạo dữ liệu mẫu (quy mô {scale}, seed {seed}): {areas} địa bàn ({communes} xã, {villages} thôn), "
        "{households} hộ, {residents} người dân, {teams} tổ, {members} thành viên, {users} tài khoản, "
        "{visits} lượt hướng dẫn, {skill_events} ghi nhận kỹ năng — {seconds:.1f} giây.",
        "Demo data created (scale {scale}, seed {seed}): {areas} areas ({communes} communes, {villages} "
        "villages), {households} households, {residents} residents, {teams} teams, {members} members, "
        "{users} accounts, {visits} visits, {skill_events} skill events — {seconds:.1f} s.",
    ),
    # ---- end of demo data
    # ---- registry, household/resident admin, resident import and export
    "nav.households": ("Hộ dân", "Households"),
    "nav.residents": ("Người dân", "Residents"),
    "nav.import_residents": ("Nhập danh sách", "Import list"),
    "reg.households_heading": ("Hộ dân", "Households"),
    "reg.residents_heading": ("Người dân", "Residents"),
    "reg.filters": ("Bộ lọc", "Filters"),
    "reg.area": ("Thôn/Tổ dân phố", "Village"),
    "reg.all_villages": ("Tất cả", "All"),
    "reg.visit_status": ("Tình trạng đến hộ", "Visit status"),
    "reg.visit.any": ("Tất cả", "All"),
    "reg.visit.never": ("Chưa đến lần nào", "Never visited"),
    "reg.visit.due": ("Đến hẹn quay lại", "Revisit due"),
    "reg.visit.visited": ("Đã hướng dẫn", "Visited"),
    "reg.skill": ("Kỹ năng còn thiếu", "Missing skill"),
    "reg.skill_any": ("Không lọc", "No filter"),
    "reg.below_level": ("Chưa đạt mức", "Below level"),
    "reg.barrier": ("Khó khăn", "Barrier"),
    "reg.barrier.any": ("Không lọc", "No filter"),
    "reg.barrier.no_smartphone": ("Không có điện thoại thông minh", "No smartphone"),
    "reg.barrier.phone_not_own": ("Số điện thoại không chính chủ", "Phone not in own name"),
    "reg.barrier.no_vneid2": ("Chưa có VNeID mức 2", "No VNeID level 2"),
    "reg.barrier.no_payment": ("Chưa có tài khoản thanh toán", "No payment account"),
    "reg.barrier.poor_network": ("Sóng yếu", "Poor network"),
    "reg.barrier.fears_mistakes": ("Sợ thao tác sai", "Fears mistakes"),
    "reg.barrier.old_age": ("Cao tuổi (60+)", "Old age (60+)"),
    "reg.age": ("Độ tuổi", "Age band"),
    "reg.age.any": ("Tất cả", "All"),
    "reg.age.under15": ("Dưới 15", "Under 15"),
    "reg.age.15_35": ("15–35", "15–35"),
    "reg.age.36_59": ("36–59", "36–59"),
    "reg.age.60plus": ("60 trở lên", "60 and over"),
    "reg.status": ("Trạng thái", "Status"),
    "reg.status.active": ("Đang cư trú", "Active"),
    "reg.status.inactive": ("Đã chuyển đi/mất/gộp", "Moved, deceased or merged"),
    "reg.status.all": ("Tất cả", "All"),
    "reg.search_name": ("Tìm theo tên (gõ không dấu được)", "Search by name (diacritics optional)"),
    "reg.search_household": ("Tìm theo mã hộ hoặc địa chỉ", "Search by household code or address"),
    "reg.sort": ("Sắp xếp", "Sort"),
    "reg.sort.name": ("Tên (A→Z)", "Name (A→Z)"),
    "reg.sort.name_desc": ("Tên (Z→A)", "Name (Z→A)"),
    "reg.sort.birth_year": ("Năm sinh", "Birth year"),
    "reg.sort.household": ("Mã hộ", "Household code"),
    "reg.sort.code": ("Mã hộ", "Household code"),
    "reg.sort.last_visit": ("Lần đến gần nhất", "Last visit"),
    "reg.sort.follow_up": ("Ngày hẹn quay lại", "Follow-up date"),
    "reg.prev": ("Trang trước", "Previous page"),
    "reg.next": ("Trang sau", "Next page"),
    "reg.page": ("Trang {page}", "Page {page}"),
    "reg.empty": ("Không có kết quả phù hợp.", "Nothing matches."),
    "reg.open": ("Xem chi tiết", "Open"),
    "reg.pick": ("Chọn để xem chi tiết", "Pick one to open"),
    "reg.close": ("Đóng", "Close"),
    "reg.col.code": ("Mã hộ", "Household"),
    "reg.col.village": ("Thôn", "Village"),
    "reg.col.address": ("Địa chỉ", "Address"),
    "reg.col.head": ("Chủ hộ", "Head"),
    "reg.col.residents": ("Số người", "Residents"),
    "reg.col.phone": ("Số điện thoại", "Phone"),
    "reg.col.status": ("Trạng thái", "Status"),
    "reg.col.last_visit": ("Lần đến gần nhất", "Last visit"),
    "reg.col.follow_up": ("Hẹn quay lại", "Follow-up"),
    "reg.col.name": ("Họ và tên", "Name"),
    "reg.col.birth_year": ("Năm sinh", "Birth year"),
    "reg.col.sex": ("Giới tính", "Sex"),
    "reg.col.skills": ("Mức kỹ năng (5 biết)", "Skill levels (5 skills)"),
    "reg.col.date": ("Ngày", "Date"),
    "reg.col.outcome": ("Kết quả", "Outcome"),
    "reg.col.members": ("Người đi", "Who went"),
    "reg.col.guidance": ("Hướng dẫn", "Guidance"),
    "reg.col.skill": ("Kỹ năng", "Skill"),
    "reg.col.level": ("Mức", "Level"),
    "reg.col.previous": ("Mức trước", "Before"),
    "reg.col.evidence": ("Minh chứng", "Evidence"),
    "reg.col.user": ("Người sửa", "By"),
    "reg.col.action": ("Thao tác", "Action"),
    "reg.col.details": ("Nội dung", "Details"),
    "reg.col.active": ("Còn hiệu lực", "Active"),
    "reg.history_visits": ("Lịch sử hướng dẫn", "Visits"),
    "reg.history_skills": ("Lịch sử kỹ năng", "Skill history"),
    "reg.history_edits": ("Lịch sử chỉnh sửa", "Edits"),
    "reg.household_members": ("Thành viên hộ", "Household members"),
    "reg.merged_into": ("Đã gộp vào {target}", "Merged into {target}"),
    "reg.read_only": ("Bạn chỉ được xem danh sách.", "You can only view the lists."),
    "person_status.active": ("Đang cư trú", "Active"),
    "person_status.moved": ("Đã chuyển đi", "Moved away"),
    "person_status.deceased": ("Đã mất", "Deceased"),
    "person_status.merged": ("Đã gộp", "Merged"),
    "sex.male": ("Nam", "Male"),
    "sex.female": ("Nữ", "Female"),
    "sex.other": ("Khác", "Other"),
    "adm.edit_household": ("Sửa thông tin hộ", "Edit household"),
    "adm.edit_resident": ("Sửa thông tin người dân", "Edit resident"),
    "adm.address": ("Địa chỉ", "Address"),
    "adm.phone": ("Số điện thoại", "Phone"),
    "adm.village": ("Thôn", "Village"),
    "adm.full_name": ("Họ và tên", "Full name"),
    "adm.birth_year": ("Năm sinh", "Birth year"),
    "adm.sex": ("Giới tính", "Sex"),
    "adm.is_head": ("Chủ hộ", "Head of household"),
    "adm.save": ("Lưu", "Save"),
    "adm.saved": ("Đã lưu.", "Saved."),
    "adm.nothing_changed": ("Không có gì thay đổi.", "Nothing changed."),
    "adm.set_status": ("Đánh dấu", "Mark as"),
    "adm.status_saved": ("Đã cập nhật trạng thái.", "Status updated."),
    "adm.move_resident": ("Chuyển sang hộ khác", "Move to another household"),
    "adm.target_code": ("Mã hộ chuyển đến", "Target household code"),
    "adm.move": ("Chuyển", "Move"),
    "adm.moved": ("Đã chuyển người dân sang hộ {code}.", "Resident moved to household {code}."),
    "adm.merge_household": ("Gộp hộ trùng vào hộ khác", "Merge this duplicate into another household"),
    "adm.merge_resident": ("Gộp người trùng vào người khác", "Merge this duplicate into another resident"),
    "adm.survivor_code": ("Mã hộ giữ lại", "Household code to keep"),
    "adm.survivor_id": ("Mã số người dân giữ lại", "Id of the resident to keep"),
    "adm.merge": ("Gộp (giữ toàn bộ lịch sử)", "Merge (all history kept)"),
    "adm.merged": (
        "Đã gộp; toàn bộ lịch sử chuyển sang bản ghi giữ lại.",
        "Merged; all history now belongs to the kept record.",
    ),
    "adm.err.inactive": ("Bản ghi này không còn hoạt động.", "This record is no longer active."),
    "adm.err.same": ("Không thể gộp hoặc chuyển vào chính nó.", "Cannot merge or move a record into itself."),
    "adm.err.unknown_household": (
        "Không có hộ mã {code} trong địa bàn.",
        "No household {code} in your area.",
    ),
    "adm.err.birth_year": (
        "Năm sinh phải từ {min} đến {max}.",
        "The birth year must be between {min} and {max}.",
    ),
    "adm.err.phone": ("Số điện thoại không hợp lệ.", "Not a valid phone number."),
    "adm.err.status": ("Trạng thái không hợp lệ.", "Not a valid status."),
    "imp.heading": ("Nhập danh sách hộ dân, người dân", "Import households and residents"),
    "imp.help": (
        "Mỗi dòng một người. Các cột: Mã hộ, Thôn, Địa chỉ, Họ và tên, Năm sinh, Giới tính, Số điện thoại, "
        "Chủ hộ, Điện thoại thông minh. Tệp CSV (UTF-8, dấu phẩy hoặc chấm phẩy) hoặc Excel (.xlsx).",
        "One row per resident. Columns: household code, village, address, full name, birth year, sex, phone, "
        "head of household, has smartphone. CSV (UTF-8, comma or semicolon) or Excel (.xlsx).",
    ),
    "imp.area": ("Xã/Phường nhận danh sách", "Commune receiving the list"),
    "imp.file": ("Chọn tệp", "Choose a file"),
    "imp.create_villages": ("Tạo thôn mới nếu chưa có", "Create villages that do not exist yet"),
    "imp.check": ("Kiểm tra tệp", "Check the file"),
    "imp.apply": ("Nhập vào hệ thống", "Import"),
    "imp.progress": ("Đang xử lý… {pct}%", "Working… {pct}%"),
    "imp.rejected": (
        "Tệp bị từ chối, chưa có gì được ghi. Có {count} lỗi cần sửa:",
        "The file was rejected; nothing was written. {count} problems to fix:",
    ),
    "imp.preview_ok": ("Tệp hợp lệ. Nếu nhập, hệ thống sẽ:", "The file is valid. Importing it will:"),
    "imp.applied": ("Đã nhập xong:", "Imported:"),
    "imp.summary": (
        "{rows} dòng · tạo {hc} hộ, cập nhật {hu} hộ · tạo {rc} người, cập nhật {ru} người"
        " · {un} người không đổi",
        "{rows} rows · {hc} households created, {hu} updated · {rc} residents created, {ru} updated"
        " · {un} unchanged",
    ),
    "imp.villages_created": ("Thôn mới: {names}", "New villages: {names}"),
    "imp.ignored_columns": ("Cột không dùng (bỏ qua): {columns}", "Columns not used (ignored): {columns}"),
    "imp.duplicates": (
        "{count} người có thể trùng với người đã có (chỉ báo, không tự gộp):",
        "{count} residents may duplicate existing ones (reported, not merged):",
    ),
    "imp.dup.name_year": ("trùng họ tên và năm sinh", "same name and birth year"),
    "imp.dup.phone": ("trùng số điện thoại", "same phone"),
    "imp.changes": ("Thay đổi:", "Changes:"),
    "imp.col.line": ("Dòng", "Line"),
    "imp.col.column": ("Cột", "Column"),
    "imp.col.problem": ("Lỗi", "Problem"),
    "imp.col.existing": ("Người đã có", "Existing resident"),
    "imp.col.reason": ("Lý do", "Reason"),
    "imp.col.what": ("Nội dung", "What"),
    "imp.err.not_utf8": ("Tệp CSV phải lưu dạng UTF-8.", "A CSV file must be saved as UTF-8."),
    "imp.err.unreadable": ("Không đọc được tệp Excel này.", "This Excel file cannot be read."),
    "imp.err.area_level": (
        "Chọn một xã/phường (hoặc tỉnh), không phải thôn: {code}.",
        "Choose a commune (or province), not a village: {code}.",
    ),
    "imp.err.too_long": ("Dài quá {max} ký tự.", "Longer than {max} characters."),
    "imp.err.birth_year": (
        "Năm sinh “{value}” phải là số từ {min} đến {max}.",
        "Birth year “{value}” must be a number from {min} to {max}.",
    ),
    "imp.err.phone": ("Số điện thoại “{value}” không hợp lệ.", "Phone number “{value}” is not valid."),
    "imp.err.sex": (
        "Giới tính “{value}” không hợp lệ (Nam/Nữ/Khác).",
        "Sex “{value}” is not valid (male/female/other).",
    ),
    "imp.err.bool": (
        "“{value}” không hiểu được (để trống, x, có hoặc không).",
        "“{value}” is not understood (blank, x, yes or no).",
    ),
    "imp.err.unknown_village": (
        "Không có thôn “{value}” trong địa bàn (chọn “Tạo thôn mới” để tạo).",
        "No village “{value}” in the area (choose “Create villages” to add it).",
    ),
    "imp.err.ambiguous_village": (
        "Có nhiều thôn tên “{value}”: hãy ghi mã thôn.",
        "Several villages are named “{value}”: use the village code.",
    ),
    "imp.err.household_village": (
        "Hộ {code} ghi thôn khác với dòng {other}.",
        "Household {code} names another village than line {other}.",
    ),
    "imp.err.household_address": (
        "Hộ {code} ghi địa chỉ khác với dòng {other}.",
        "Household {code} gives another address than line {other}.",
    ),
    "imp.err.duplicate_person": (
        "Người này đã có ở dòng {other} (cùng hộ, họ tên, năm sinh).",
        "This person is already on line {other} (same household, name, birth year).",
    ),
    "imp.err.household_elsewhere": (
        "Mã hộ {code} đã thuộc một địa bàn khác.",
        "Household code {code} already belongs to another area.",
    ),
    "exp.heading": ("Xuất danh sách", "Export"),
    "exp.xlsx": ("Tải Excel (.xlsx)", "Download Excel (.xlsx)"),
    "exp.csv": ("Tải CSV", "Download CSV"),
    "exp.prepare": ("Chuẩn bị tệp xuất", "Prepare the export"),
    "exp.masked": (
        "Số điện thoại được che, chỉ hiện 3 số cuối.",
        "Phone numbers are masked except the last 3 digits.",
    ),
    "exp.col.status": ("Trạng thái", "Status"),
    "exp.col.phone_own_name": ("Số chính chủ", "Phone in own name"),
    "exp.col.vneid_level": ("Mức VNeID", "VNeID level"),
    "exp.col.has_payment_account": ("Tài khoản thanh toán", "Payment account"),
    "exp.col.poor_network": ("Sóng yếu", "Poor network"),
    "exp.col.fears_mistakes": ("Sợ thao tác sai", "Fears mistakes"),
    "exp.col.digital_course_done": ("Hoàn thành Bình dân học vụ số", "Basic digital skills course done"),
    "exp.col.first_guided_on": ("Ngày được hướng dẫn đầu tiên", "First guided on"),
    "exp.col.last_visited_on": ("Lần đến hộ gần nhất", "Household last visited"),
    "exp.yes": ("Có", "Yes"),
    "exp.no": ("Không", "No"),
    # ---- group session: attendees no longer reachable (pages/session.py)
    "journey.attendees_dropped": (
        "{n} người đã chọn không còn thuộc địa bàn của bạn hoặc không còn sinh sống ở đây, "
        "đã được bỏ khỏi danh sách tham dự.",
        "{n} chosen attendee(s) are no longer in your area or no longer live here "
        "and were removed from the attendee list.",
    ),
    # ---- end of group session: attendees no longer reachable
    # ---- figures: quotas and home (pages/quotas.py, pages/home.py)
    "fig.home.households_help": ("Hộ đang có trong danh sách của địa bàn.", "Households listed in the area."),
    "fig.home.reached": ("Hộ đã đến", "Households visited"),
    "fig.home.reached_help": (
        "Hộ có ít nhất một lượt đến, bất kể kết quả. Còn {never} hộ chưa đến lần nào.",
        "Households with at least one visit, whatever its outcome. {never} never visited.",
    ),
    "fig.home.done": ("Hộ đã hướng dẫn", "Households guided"),
    "fig.home.done_help": (
        "Hộ có ít nhất một lượt đến với kết quả «Đã hướng dẫn».",
        "Households with at least one visit marked “Done”.",
    ),
    "fig.home.residents_help": (
        "Người dân đang có trong danh sách, mọi lứa tuổi.",
        "Listed residents, all ages.",
    ),
    "fig.home.guided_help": (
        "Người được hướng dẫn ít nhất một lần (nộp hồ sơ, thanh toán hoặc cài ứng dụng).",
        "Residents guided at least once (submitting, paying or installing apps).",
    ),
    "fig.home.all_five_help": (
        "Người tự làm được cả 5 kỹ năng (mức «tự làm được»).",
        "Residents who do all five skills alone.",
    ),
    "fig.home.week_visits": ("Lượt đến tuần này", "Visits this week"),
    "fig.home.week_visits_help": (
        "Từ thứ Hai {start} đến hôm nay {end}: mọi lượt đến hộ và buổi sinh hoạt, bất kể kết quả.",
        "Monday {start} to today {end}: every household visit and group session, whatever the outcome.",
    ),
    "fig.home.my_visits": ("Lượt đến của bạn, 7 ngày qua", "Your visits, last 7 days"),
    "fig.home.my_visits_help": (
        "Từ {start} đến hôm nay {end} (7 ngày): lượt đến hộ và buổi sinh hoạt bạn đã đi, bất kể kết quả.",
        "{start} to today {end} (7 days): household visits and group sessions you went on, any outcome.",
    ),
    "fig.home.visits_done": ("Lượt «Đã hướng dẫn»", "Visits marked “Done”"),
    "fig.home.visits_done_help": ("Trong số lượt đến bên cạnh.", "Among the visits beside it."),
    "fig.home.value_share": ("{n} ({share})", "{n} ({share})"),
    "fig.home.col_reached": ("Hộ đã đến", "Visited"),
    "fig.home.children_help": (
        "«Hộ đã đến»: tỷ lệ hộ có ít nhất một lượt đến; các tỷ lệ người tính trên số người dân.",
        "“Visited”: share of households with at least one visit; the other shares are of residents.",
    ),
    "fig.q.period": (
        "{area} · {start} – {end} · đã qua {day}/{days} ngày",
        "{area} · {start} – {end} · day {day} of {days}",
    ),
    "fig.q.targets": ("Mục tiêu của đợt: {targets}.", "Campaign targets: {targets}."),
    "fig.q.target_guided": ("{pct}% người dân được hướng dẫn", "{pct}% of residents guided"),
    "fig.q.target_all_five": ("{pct}% thành thạo cả 5 kỹ năng", "{pct}% mastering all five skills"),
    "fig.q.target_dossiers": ("{pct}% hồ sơ nộp trực tuyến", "{pct}% of dossiers filed online"),
    "fig.q.how_counted": (
        "**Cách tính**: chỉ tính những gì diễn ra trong thời gian của đợt. **Tổ** và **thôn**: đếm số hộ, "
        "số người *khác nhau* trong các lượt đến của cả tổ (mọi thành viên) hoặc tại thôn — đến một hộ "
        "nhiều lần, hay nhiều thành viên cùng đi, vẫn chỉ tính một lần. **Thành viên**: chỉ các lượt "
        "người đó trực tiếp đi. «Hộ đã đến»: hộ có ít nhất một lượt đến, bất kể kết quả.",
        "**How it is counted**: only what happened within the campaign's period. **Teams** and "
        "**villages**: *distinct* households and residents over the visits of the whole team (every "
        "member) or in the village — a repeat visit, or several members on one visit, count once. "
        "**Members**: only the visits that person went on. “Households visited”: households with at "
        "least one visit, whatever its outcome.",
    ),
    "fig.q.kind.team": ("Tổ · số khác nhau của cả tổ", "Team · distinct, whole team"),
    "fig.q.kind.member": ("Thành viên · lượt của riêng người này", "Member · their own visits"),
    "fig.q.kind.area": ("Thôn · số khác nhau tại thôn", "Village · distinct, in the village"),
    "fig.q.metric_skill": ("Tự làm được: {skill}", "Mastering: {skill}"),
    "fig.q.at_risk_order": (
        "Xếp từ chỉ tiêu có dự kiến thấp nhất so với chỉ tiêu giao.",
        "Ordered from the lowest projection against the target.",
    ),
    "fig.q.on_track_title": ("Đúng tiến độ ({count})", "On track ({count})"),
    "fig.q.none_at_risk": (
        "Không có chỉ tiêu nào có nguy cơ không đạt.",
        "No quota is at risk of falling short.",
    ),
    "fig.q.line": (
        "{metric}: **{progress} / {target}** ({share}) · dự kiến cuối đợt {projected}",
        "{metric}: **{progress} / {target}** ({share}) · projected {projected}",
    ),
    "fig.q.total_differs": (
        "Tổng các dòng là {sum}, khác «Tổng chỉ tiêu» {total}.",
        "The rows add up to {sum}, not the total target of {total}.",
    ),
    "fig.q.accept_new_total": ("Lưu theo tổng mới của các dòng", "Save with the rows' new total"),
    "fig.q.accept_new_total_help": (
        "Bạn đã sửa chỉ tiêu từng dòng nên tổng đã khác. Đánh dấu để lưu đúng các số trong bảng; "
        "để trống thì hãy sửa lại cho khớp «Tổng chỉ tiêu».",
        "You changed some rows, so they no longer add up to the total. Tick to save the rows as they are; "
        "otherwise change them until they match the total target.",
    ),
    # ---- end of figures: quotas and home
    # ---- visit form (pages/visit.py, webui/visit_form.py, pages/my_visits.py)
    "visit_form.guided": ("Đã hướng dẫn", "Guided in"),
    "visit_form.guided_help": (
        "Những việc bạn đã hướng dẫn người này trong lượt này.",
        "What you showed this person during this visit.",
    ),
    "visit_form.can_do": ("Hiện làm được (mức 0–3)", "Can do now (level 0–3)"),
    "visit_form.present_hint": (
        "Chỉ người được đánh dấu có mặt mới được ghi nhận. Chạm vào mục hướng dẫn hay mức kỹ năng của "
        "ai thì người đó tự được đánh dấu có mặt.",
        "Only residents ticked as present are recorded. Touching someone's guidance or skill level "
        "ticks them present.",
    ),
    "visit_form.show_children": ("Hiện trẻ em dưới 14 tuổi ({n})", "Show children under 14 ({n})"),
    "visit_form.show_children_help": (
        "Trẻ em dưới 14 tuổi (theo năm sinh) được ẩn đi; bật để ghi nhận cho các em.",
        "Children under 14 (by birth year) are folded away; switch on to record them.",
    ),
    "visit_form.children_locked": (
        "Có trẻ em đang được đánh dấu có mặt: bỏ đánh dấu trước khi ẩn.",
        "A child is ticked present: untick them before hiding the children.",
    ),
    "visit_form.saved_done": (
        "Đã lưu lượt đến hộ {household}, {n} người có mặt.",
        "Visit to household {household} saved, {n} people present.",
    ),
    "visit_form.saved_done.one": (
        "Đã lưu lượt đến hộ {household}, {n} người có mặt.",
        "Visit to household {household} saved, {n} person present.",
    ),
    "visit_form.saved_other": (
        "Đã lưu lượt đến hộ {household}: {outcome}.",
        "Visit to household {household} saved: {outcome}.",
    ),
    "visit_form.corrected_done": (
        "Đã lưu chỉnh sửa lượt đến hộ {household}, {n} người có mặt.",
        "Correction saved: visit to household {household}, {n} people present.",
    ),
    "visit_form.corrected_done.one": (
        "Đã lưu chỉnh sửa lượt đến hộ {household}, {n} người có mặt.",
        "Correction saved: visit to household {household}, {n} person present.",
    ),
    "visit_form.corrected_other": (
        "Đã lưu chỉnh sửa lượt đến hộ {household}: {outcome}.",
        "Correction saved: visit to household {household}: {outcome}.",
    ),
    "visit_form.corrected_session": (
        "Đã lưu chỉnh sửa buổi sinh hoạt ngày {date}, {n} người có mặt.",
        "Correction saved: group session of {date}, {n} people present.",
    ),
    "visit_form.corrected_session.one": (
        "Đã lưu chỉnh sửa buổi sinh hoạt ngày {date}, {n} người có mặt.",
        "Correction saved: group session of {date}, {n} person present.",
    ),
    "visit_form.to_visit": ("Hộ cần đến: {n}", "Households to visit: {n}"),
    "visit_form.to_visit_help": (
        "Hộ chưa được hướng dẫn lần nào (kể cả đã đến mà không gặp) hoặc đã đến ngày hẹn quay lại. "
        "Danh sách có {total} hộ; hộ đã hướng dẫn xếp sau cùng.",
        "Households not guided yet (including visits that found nobody) or with a revisit due. "
        "The list holds {total} households; those already guided come last.",
    ),
    "visit_form.hit_never": ("Chưa đến lần nào", "Never visited"),
    "visit_form.hit_last": ("Lần đến gần nhất {date}: {outcome}", "Last visit {date}: {outcome}"),
    "visit_form.hit_due": ("Đến hẹn quay lại {date}", "Revisit due {date}"),
    "visit_form.hit_follow_up": ("Hẹn quay lại {date}", "Follow-up {date}"),
    "visit_form.more_people": ("+{n} người", "+{n} more"),
    # ---- end of visit form
    # ---- shell: menu, drafts, language, Streamlit strings (webui/guard.py, app.py)
    "shell.menu": ("Menu", "Menu"),
    "shell.back_home": ("Về trang chủ", "Back to the home page"),
    "shell.choose": ("Chọn…", "Choose…"),
    "shell.choose_many": ("Chọn một hoặc nhiều…", "Choose one or more…"),
    "shell.upload_button": ("Chọn tệp", "Choose a file"),
    "shell.upload_limit": ("Tối đa {mb} MB mỗi tệp", "Up to {mb} MB per file"),
    "shell.upload_hint": (
        "Bấm «Chọn tệp» hoặc kéo thả tệp vào ô dưới đây ({types}, tối đa {mb} MB).",
        "Tap “Choose a file” or drag the file onto the box below ({types}, up to {mb} MB).",
    ),
    "shell.draft_found": (
        "Hộ này có một lượt ghi nhận chưa lưu (lúc {time}).",
        "This household has an unsaved visit (from {time}).",
    ),
    "shell.draft_continue": ("Tiếp tục lượt ghi nhận chưa lưu", "Continue the unsaved visit"),
    "shell.draft_discard": ("Bỏ bản nháp", "Discard the draft"),
    "shell.draft_discarded": ("Đã bỏ bản nháp.", "Draft discarded."),
    "shell.draft_too_large": (
        "Bản nháp quá lớn nên không được lưu tạm; hãy lưu lượt đến.",
        "The draft is too large to keep; please save the visit.",
    ),
    "shell.draft_bad": ("Bản nháp không hợp lệ.", "The draft is not valid."),
    "shell.lang_bad": ("Ngôn ngữ không hỗ trợ.", "Unsupported language."),
    # English plurals: "<key>.one" is used instead of "<key>" when the count (n or count) is 1.
    "journey.residents_n.one": ("{n} người", "{n} person"),
    "journey.session_saved.one": ("Đã lưu buổi sinh hoạt với {n} người.", "Session with {n} person saved."),
    "err.validation.one": ("Có {count} mục chưa hợp lệ.", "{count} entry is not valid."),
    "admin_areas.preview_bad.one": (
        "Tệp có {count} lỗi; chưa nhập gì. Sửa các dòng dưới đây rồi tải lên lại.",
        "The file has {count} problem; nothing was imported. Fix this line and upload it again.",
    ),
    "team.size_warning.one": (
        "Tổ có {count} thành viên, vượt mức khuyến nghị {limit} người.",
        "The team has {count} member, more than the recommended {limit}.",
    ),
    "quotas.at_risk_count.one": (
        "{count} chỉ tiêu có nguy cơ không đạt theo tiến độ hiện nay.",
        "{count} quota will fall short at the current pace.",
    ),
    "quotas.saved.one": ("Đã lưu {count} chỉ tiêu.", "{count} quota saved."),
    "imp.rejected.one": (
        "Tệp bị từ chối, chưa có gì được ghi. Có {count} lỗi cần sửa:",
        "The file was rejected; nothing was written. {count} problem to fix:",
    ),
    "imp.duplicates.one": (
        "{count} người có thể trùng với người đã có (chỉ báo, không tự gộp):",
        "{count} resident may duplicate an existing one (reported, not merged):",
    ),
    "journey.attendees_dropped.one": (
        "{n} người đã chọn không còn thuộc địa bàn của bạn hoặc không còn sinh sống ở đây, "
        "đã được bỏ khỏi danh sách tham dự.",
        "{n} chosen attendee is no longer in your area or no longer lives here "
        "and was removed from the attendee list.",
    ),
    # ---- end of shell: menu, drafts, language, Streamlit strings
    # ---- teams and admin forms (pages/teams.py, pages/admin_users.py, pages/admin_areas.py)
    "team.err_member_duplicate": (
        "Tổ đã có thành viên {name} với số điện thoại này; không thêm trùng.",
        "The team already has {name} with this phone number; not added twice.",
    ),
    "team.err_member_duplicate_no_phone": (
        "Tổ đã có thành viên {name} chưa có số điện thoại. Nếu là người khác, hãy nhập số điện thoại "
        "để phân biệt.",
        "The team already has {name} without a phone number. If this is someone else, enter a phone "
        "number to tell them apart.",
    ),
    "team.err_member_duplicate_inactive": (
        "Tổ đã có {name} với số điện thoại này, đang ngừng tham gia: chọn người đó ở “Thành viên cần sửa” "
        "và đánh dấu “Đang tham gia”.",
        "The team already has {name} with this phone number, marked inactive: choose them under "
        "“Member to edit” and tick “Active”.",
    ),
    "team.leader_taken": (
        "{leader} đang là tổ trưởng; mỗi tổ có một tổ trưởng. Cần xác nhận để chuyển.",
        "{leader} is the team leader; a team has one leader. Confirm to move the role.",
    ),
    "team.village_shared": (
        "{village} cũng đang giao cho {teams}. Mỗi thôn nên do một tổ phụ trách.",
        "{village} is also assigned to {teams}. Each village should have one team.",
    ),
    "team.village_shared_all": (
        "{village} đang giao cho nhiều tổ: {teams}. Đề xuất không chuyển thôn này; hãy bỏ bớt ở mục "
        "“Thôn được giao” của một tổ.",
        "{village} is assigned to several teams: {teams}. The proposal leaves it as it is; remove it "
        "under “Assigned villages” of one team.",
    ),
    "teams.member_form": ("Thêm hoặc sửa thành viên", "Add or edit a member"),
    "teams.leader_confirm": (
        "{leader} đang là tổ trưởng. Chuyển tổ trưởng sang {name}? {leader} sẽ không còn là tổ trưởng.",
        "{leader} is the team leader. Make {name} the leader instead? {leader} will no longer lead.",
    ),
    "teams.leader_confirm_yes": ("Chuyển tổ trưởng sang {name}", "Make {name} the leader"),
    "teams.leader_confirm_no": ("Không, giữ {leader} làm tổ trưởng", "No, keep {leader} as leader"),
    "teams.leader_kept": (
        "Chưa lưu gì: {leader} vẫn là tổ trưởng. Bỏ đánh dấu “Tổ trưởng” rồi lưu lại nếu cần.",
        "Nothing saved: {leader} is still the leader. Untick “Team leader” and save again if needed.",
    ),
    "teams.village_option": ("{name} ({n} hộ)", "{name} ({n} households)"),
    "teams.village_option.one": ("{name} ({n} hộ)", "{name} ({n} household)"),
    "teams.village_option_taken": (
        "{name} ({n} hộ · đã giao cho tổ khác)",
        "{name} ({n} households · has another team)",
    ),
    "teams.village_option_taken.one": (
        "{name} ({n} hộ · đã giao cho tổ khác)",
        "{name} ({n} household · has another team)",
    ),
    "teams.balance_explain": (
        "Đề xuất chuyển một số thôn sang tổ khác để số hộ trên mỗi thành viên đồng đều hơn. Chỉ đề xuất "
        "lần chuyển nào làm giảm chênh lệch giữa tổ nhiều hộ nhất và tổ ít hộ nhất; thôn chưa có tổ "
        "được giao cho một tổ; thôn của tổ thôn giữ nguyên. Xem lại trước khi áp dụng.",
        "Proposes moving some villages to another team so households per member even out. Only moves "
        "that narrow the gap between the busiest and the idlest team are proposed; a village without a "
        "team gets one; a village team keeps its own village. Review before applying.",
    ),
    "teams.balance_gap": (
        "**Chênh lệch số hộ trên mỗi thành viên** giữa tổ nhiều nhất và tổ ít nhất: **{before} → {after}**",
        "**Gap in households per member** between the busiest and the idlest team: **{before} → {after}**",
    ),
    "teams.balance_none": (
        "Không có đề xuất: không lần chuyển thôn nào làm giảm chênh lệch (hiện nay {gap} hộ mỗi thành "
        "viên), và thôn nào cũng đã có tổ.",
        "Nothing to propose: no move narrows the gap (now {gap} households per member), and every "
        "village has a team.",
    ),
    "teams.balance_moves": ("Đề xuất chuyển {n} thôn", "Proposed: {n} villages change team"),
    "teams.balance_moves.one": ("Đề xuất chuyển {n} thôn", "Proposed: {n} village changes team"),
    "teams.balance_move": (
        "**{village}** ({n} hộ): {from_team} → **{to_team}**",
        "**{village}** ({n} households): {from_team} → **{to_team}**",
    ),
    "teams.balance_move.one": (
        "**{village}** ({n} hộ): {from_team} → **{to_team}**",
        "**{village}** ({n} household): {from_team} → **{to_team}**",
    ),
    "teams.balance_move_new": (
        "**{village}** ({n} hộ, chưa có tổ) → **{to_team}**",
        "**{village}** ({n} households, no team yet) → **{to_team}**",
    ),
    "teams.balance_move_new.one": (
        "**{village}** ({n} hộ, chưa có tổ) → **{to_team}**",
        "**{village}** ({n} household, no team yet) → **{to_team}**",
    ),
    "teams.col_per_member": ("Hộ/thành viên: nay → đề xuất", "Per member: now → proposed"),
    "teams.balance_why": (
        "Mỗi lần chuyển đều cần: bỏ riêng lần nào thì chênh lệch cũng lớn hơn. Thôn giao cho nhiều tổ "
        "được tính chia đều cho các tổ đó.",
        "Every move is needed: without any one of them the gap would be wider. A village assigned to "
        "several teams counts shared equally between them.",
    ),
    # ---- end of teams and admin forms
    # ---- areas and printing (services/areas.py, services/printing.py, admin settings)
    "err.public_url_unset": (
        "Chưa đặt địa chỉ công khai của ứng dụng nên mã QR trên phiếu hộ sẽ không mở được trên điện "
        "thoại. Quản trị viên đặt địa chỉ tại trang Cài đặt (hoặc biến APP_BASE_URL trên máy chủ).",
        "The app's public address is not set, so the QR codes on household cards would not open on a "
        "phone. An admin sets it on the Settings page (or APP_BASE_URL on the server).",
    ),
    "err.public_url_loopback": (
        "Địa chỉ công khai {url} chỉ mở được trên chính máy chủ nên mã QR trên phiếu hộ sẽ không mở "
        "được trên điện thoại. Quản trị viên đặt địa chỉ đúng tại trang Cài đặt.",
        "The public address {url} only opens on the server itself, so the QR codes on household cards "
        "would not open on a phone. An admin sets the right address on the Settings page.",
    ),
    "err.public_url_invalid": (
        "Địa chỉ công khai {url} không phải địa chỉ web (http:// hoặc https://). Quản trị viên "
        "sửa tại trang Cài đặt.",
        "The public address {url} is not a web address (http:// or https://). An admin fixes "
        "it on the Settings page.",
    ),
    "err.public_url_format": (
        "Nhập địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://, ví dụ https://5b3h.xaan.gov.vn.",
        "Enter a full address starting with http:// or https://, e.g. https://5b3h.example.gov.vn.",
    ),
    "err.public_url_long": ("Địa chỉ dài quá {max} ký tự.", "The address is longer than {max} characters."),
    "err.public_url_loopback_field": (
        "Địa chỉ này chỉ mở được trên chính máy chủ (127.0.0.1, localhost). Hãy nhập địa chỉ mà máy "
        "tính bảng và điện thoại của tổ mở được.",
        "This address only opens on the server itself (127.0.0.1, localhost). Enter the address the "
        "teams' tablets and phones open.",
    ),
    "err.settings_top_admin": (
        "Chỉ quản trị viên của địa bàn cao nhất (thường là tỉnh) được đổi cài đặt chung.",
        "Only an admin of the top-level area (usually the province) may change installation settings.",
    ),
    "nav.admin_settings": ("Cài đặt", "Settings"),
    "settings.heading": ("Cài đặt chung", "Installation settings"),
    "settings.public_url": ("Địa chỉ công khai của ứng dụng", "Public address of the app"),
    "settings.public_url_help": (
        "Mã QR trên phiếu hộ gia đình mở địa chỉ này. Nhập địa chỉ mà máy tính bảng và điện thoại của "
        "tổ mở được (không phải 127.0.0.1 hay localhost). Để trống và lưu: dùng biến APP_BASE_URL "
        "của máy chủ.",
        "The QR codes on household cards open this address. Enter the address the teams' tablets and "
        "phones open (not 127.0.0.1 or localhost). Save it empty to use the server's APP_BASE_URL.",
    ),
    "settings.public_url_placeholder": ("https://5b3h.xaan.gov.vn", "https://5b3h.example.gov.vn"),
    "settings.current": ("Đang dùng: {url} ({source})", "In use: {url} ({source})"),
    "settings.source.setting": ("đặt trong ứng dụng", "set in the app"),
    "settings.source.environment": ("biến APP_BASE_URL của máy chủ", "the server's APP_BASE_URL"),
    "settings.source.default": ("mặc định, chưa đặt", "default, not set"),
    "settings.save": ("Lưu địa chỉ", "Save the address"),
    "settings.saved": ("Đã lưu địa chỉ công khai {url}.", "Saved the public address {url}."),
    "settings.cleared": (
        "Đã xoá địa chỉ đặt trong ứng dụng; dùng biến APP_BASE_URL của máy chủ.",
        "Cleared the address set in the app; the server's APP_BASE_URL applies.",
    ),
    "settings.only_top_admin": (
        "Chỉ quản trị viên của địa bàn cao nhất (thường là tỉnh) được đổi địa chỉ này.",
        "Only an admin of the top-level area (usually the province) may change this address.",
    ),
    "settings.try_qr": (
        "Quét thử bằng điện thoại: mã này mở trang Ghi nhận như mã trên phiếu hộ.",
        "Try it with a phone: this code opens the visit page as the codes on household cards do.",
    ),
    "leaflets.cards_hint": (
        "In hai phiếu hộ trên một trang A4; cắt theo đường gạch ngang.",
        "Household cards print two to an A4 page; cut along the dashed line.",
    ),
    # ---- end of areas and printing
    # ---- session, import, registry (pages/session.py, pages/import_residents.py, registry pages)
    "reg.page_households": ("Trang {page}/{pages} · {count} hộ", "Page {page}/{pages} · {count} households"),
    "reg.page_households.one": (
        "Trang {page}/{pages} · {count} hộ",
        "Page {page}/{pages} · {count} household",
    ),
    "reg.page_residents": ("Trang {page}/{pages} · {count} người", "Page {page}/{pages} · {count} residents"),
    "reg.page_residents.one": (
        "Trang {page}/{pages} · {count} người",
        "Page {page}/{pages} · {count} resident",
    ),
    "reg.ladder_legend": (
        "Mỗi kỹ năng: ○○○ chưa biết · ●○○ đã được hướng dẫn · ●●○ làm được khi có hỗ trợ · ●●● tự làm được",
        "Each skill: ○○○ not yet · ●○○ guided · ●●○ did it with help · ●●● does it alone",
    ),
    "reg.download_table": ("Tải bảng này (CSV)", "Download this table (CSV)"),
    "imp.check_first": (
        "Bấm «Kiểm tra tệp» trước: nút «Nhập vào hệ thống» chỉ mở khi tệp đã được kiểm tra và hợp lệ.",
        "Press «Check the file» first: «Import» opens only once the file has been checked and is valid.",
    ),
    "imp.progress_done": ("Đã xử lý xong 100%", "Done 100%"),
    "imp.template_help": (
        "Chưa có tệp? Tải tệp mẫu: đủ tên cột và hai dòng ví dụ (một hộ hai người). "
        "Xoá hai dòng ví dụ rồi điền danh sách của xã.",
        "No file yet? Download a template with every column header and two example rows (one household "
        "of two). Delete the examples, then fill in your list.",
    ),
    "imp.template_csv": ("Tệp mẫu CSV", "CSV template"),
    "imp.template_xlsx": ("Tệp mẫu Excel (XLSX)", "Excel template (XLSX)"),
    "imp.template.sheet": ("Danh sách", "List"),
    "imp.template.notes_sheet": ("Hướng dẫn", "Notes"),
    "imp.template.col_column": ("Cột", "Column"),
    "imp.template.col_required": ("Bắt buộc", "Required"),
    "imp.template.col_note": ("Cách điền", "How to fill it in"),
    "imp.template.note.household_code": (
        "Mã hộ do xã đặt; các dòng cùng mã hộ là người của cùng một hộ.",
        "The household code the commune uses; rows with the same code are one household.",
    ),
    "imp.template.note.village": (
        "Tên thôn/tổ dân phố như trong hệ thống (gõ không dấu cũng được).",
        "The village name as in the system (diacritics optional).",
    ),
    "imp.template.note.address": (
        "Địa chỉ của hộ; các dòng của một hộ ghi giống nhau.",
        "The household's address; the same on every row of a household.",
    ),
    "imp.template.note.full_name": ("Họ và tên đầy đủ, có dấu.", "Full name, with diacritics."),
    "imp.template.note.birth_year": ("Năm sinh bốn chữ số, ví dụ 1968.", "Four-digit birth year, e.g. 1968."),
    "imp.template.note.sex": ("Nam, Nữ hoặc Khác.", "Nam (male), Nữ (female) or Khác (other)."),
    "imp.template.note.phone": (
        "Số di động 10 chữ số, bắt đầu bằng 0; để trống nếu không có.",
        "Ten-digit mobile number starting with 0; leave empty if none.",
    ),
    "imp.template.note.is_head": ("Ghi x ở dòng của chủ hộ.", "Put x on the household head's row."),
    "imp.template.note.has_smartphone": (
        "có / không; để trống nếu chưa biết.",
        "có (yes) / không (no); leave empty if not known.",
    ),
    # ---- end of session, import, registry
    # ---- paper sheet entry (pages/sheet_entry.py)
    "nav.sheet_entry": ("Nhập phiếu giấy", "Enter paper sheets"),
    "sheet.intro": (
        "Gõ lại kết quả ghi trên phiếu đi hộ đã in. Hộ để trống là chưa đến; nhập lại một phiếu không tạo "
        "lượt đến trùng.",
        "Type in what was written on a printed visit sheet. Blank rows mean not visited; entering a sheet "
        "again creates no duplicate visits.",
    ),
    "sheet.typed": ("Số phiếu (in ở góc trên bên phải)", "Sheet number (printed top right)"),
    "sheet.typed_hint": ("VD: PV-A1-20260309-01", "e.g. PV-A1-20260309-01"),
    "sheet.open": ("Mở phiếu", "Open sheet"),
    "sheet.need_id": ("Nhập số phiếu.", "Enter the sheet number."),
    "sheet.not_found": (
        "Không tìm thấy phiếu {id}. Kiểm tra lại số phiếu in ở góc trên bên phải.",
        "No sheet {id}. Check the number printed at the top right.",
    ),
    "sheet.summary_heading": ("Phiếu đã in / đã nhập", "Sheets printed / entered"),
    "sheet.village_counts": (
        "Đã in {printed} · đã nhập {entered} · còn {open}",
        "Printed {printed} · entered {entered} · open {open}",
    ),
    "sheet.none_printed": (
        "Chưa có phiếu nào được in. In phiếu đi hộ ở trang Tờ rơi.",
        "No sheets printed yet. Print visit sheets on the Leaflets page.",
    ),
    "sheet.open_line": (
        "{id} · in {date} · đã nhập {entered}/{households} hộ",
        "{id} · printed {date} · entered {entered} of {households} households",
    ),
    "sheet.more_open": ("… và {n} phiếu khác", "… and {n} more"),
    "sheet.back": ("Chọn phiếu khác", "Another sheet"),
    "sheet.where": ("{village}, {commune} · in ngày {date}", "{village}, {commune} · printed {date}"),
    "sheet.progress": (
        "{households} hộ · đã nhập {entered} · còn {left}",
        "Households: {households} · entered {entered} · open {left}",
    ),
    "sheet.entered_done": ("Phiếu này đã nhập xong ngày {date}.", "This sheet was entered on {date}."),
    "sheet.legend": (
        "Mỗi người: chọn nội dung đã hướng dẫn và ô kỹ năng đã đánh dấu trên phiếu (1 đã được hướng dẫn · "
        "2 làm được khi có hỗ trợ · 3 tự làm được). Bỏ trống = phiếu không ghi. ●○○ cạnh tên kỹ năng: mức "
        "đã ghi nhận trước đây.",
        "For each person: what they were guided in, and the skill box ticked on the sheet (1 guided · "
        "2 did it with help · 3 does it alone). Leave blank where the sheet is blank. ●○○ beside a skill: "
        "the level on record.",
    ),
    "sheet.visited_on": ("Ngày đến (ghi trên phiếu)", "Visit date (on the sheet)"),
    "sheet.household": ("Hộ {code}", "Household {code}"),
    "sheet.outcome": ("Kết quả tại hộ (để trống nếu không đến)", "Outcome (blank if not visited)"),
    "sheet.follow_up": ("Hẹn lại ngày", "Come back on"),
    "sheet.notes": ("Ghi chú", "Notes"),
    "sheet.row_entered": ("Đã nhập: {outcome}, ngày {date}", "Entered: {outcome}, on {date}"),
    "sheet.row_withdrawn": (
        "Đã nhập rồi hủy ({outcome}, ngày {date})",
        "Entered, then withdrawn ({outcome}, {date})",
    ),
    "sheet.row_gone": (
        "Hộ đã chuyển đi, gộp hoặc bị xóa sau khi in: bỏ qua.",
        "Household moved, merged or removed since printing: skipped.",
    ),
    "sheet.no_residents": ("Hộ chưa có nhân khẩu nào.", "No residents listed."),
    "sheet.show_children": ("Hiện trẻ em dưới 14 tuổi ({n})", "Show children under 14 ({n})"),
    "sheet.guided": ("Đã hướng dẫn", "Guided in"),
    "sheet.reason": ("Lý do hạ mức {skill}", "Why {skill} is lower"),
    "sheet.close": (
        "Các hộ để trống là không đến: đóng phiếu",
        "Blank rows were not visited: close the sheet",
    ),
    "sheet.save": ("Lưu phiếu", "Save the sheet"),
    "sheet.saved": (
        "Đã lưu phiếu {id}: {recorded} hộ, {residents} người.",
        "Sheet {id} saved: households {recorded}, residents {residents}.",
    ),
    "sheet.saved_already": ("{n} hộ đã nhập từ trước, không ghi lại.", "Already entered before: {n}."),
    "sheet.saved_complete": ("Phiếu đã nhập xong.", "The sheet is fully entered."),
    "sheet.saved_left": ("Còn {left} hộ chưa nhập.", "Households still open: {left}."),
    "sheet.nothing": (
        "Chưa điền hộ nào. Chọn kết quả cho hộ đã đến, hoặc đánh dấu đóng phiếu.",
        "Nothing filled in. Choose an outcome for each household visited, or close the sheet.",
    ),
    "sheet.save_failed": (
        "Chưa lưu gì: sửa các dòng báo đỏ rồi lưu lại.",
        "Nothing saved: fix the rows marked in red, then save again.",
    ),
    "sheet.save_failed_toast": ("Chưa lưu: {n} chỗ cần sửa", "Not saved: {n} to fix"),
    "sheet.outcome_needed": (
        "Chọn kết quả cho hộ này (đã ghi cho người dân nhưng chưa có kết quả).",
        "Choose this household's outcome (people are marked, the outcome is missing).",
    ),
    "sheet.household_gone": (
        "Hộ này không còn trong danh sách: không nhập được.",
        "Household no longer listed.",
    ),
    "sheet.not_on_sheet": ("Hộ này không có trên phiếu.", "This household is not on the sheet."),
    "sheet.before_printed": (
        "Ngày đến không được trước ngày in phiếu ({date}).",
        "The visit date cannot be before the sheet was printed ({date}).",
    ),
    # ---- end of paper sheet entry
}


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The message in `lang`; an unknown key shows itself so a missing entry is visible, not fatal.
    English uses `<key>.one` when the count parameter (`n`, else `count`) is 1 and that entry exists."""
    if lang == "en":
        count = params.get("n", params.get("count"))
        if count == 1 and key + ".one" in MESSAGES:
            key = key + ".one"
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text
