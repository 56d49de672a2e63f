// The Art. 30 register as one HTML page (see register_report.h).
#include <sstream>

#include "report/escape.h"
#include "report/register_report.h"

namespace dpo::report {

namespace {

constexpr const char* kCss = R"css(
:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee6; --accent: #1f5fa8; --special: #a4262c; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 32px 28px 48px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); }
h1 { font-size: 26px; margin: 4px 0 18px; }
h2 { font-size: 18px; margin: 0 0 4px; }
.controller { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 26px;
              padding: 14px 18px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px; }
.controller dt { color: var(--muted); }
.controller dd { margin: 0; }
.count { color: var(--muted); margin: 0 0 14px; }
section.activity { border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 0 0 16px;
                   break-inside: avoid; page-break-inside: avoid; }
section.activity .desc { margin: 0 0 10px; color: var(--muted); }
section.activity dl { display: grid; grid-template-columns: 210px 1fr; gap: 6px 16px; margin: 0; }
section.activity dt { font-weight: 600; }
section.activity dd { margin: 0; }
ul { margin: 0; padding-left: 18px; }
.flag { display: inline-block; font-size: 12px; padding: 1px 7px; border-radius: 10px; border: 1px solid var(--special);
        color: var(--special); margin-left: 6px; }
.sensitive { color: var(--special); }
.none { color: var(--muted); }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
h2 .mono { font-size: 17px; }
footer { margin-top: 28px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { main { padding: 0; } body { font-size: 12px; } section.activity dl { grid-template-columns: 170px 1fr; } }
)css";

std::string H(const std::string& s) { return HtmlEscape(s); }

// A list cell: bullet points, or a muted word when there is nothing.
std::string List(const std::vector<std::string>& items, const char* empty, bool mark_sensitive = false) {
  if (items.empty()) return std::string("<span class=\"none\">") + empty + "</span>";
  std::string out = "<ul>";
  for (const std::string& item : items) {
    const bool sensitive = mark_sensitive && (item.find("Art. 9") != std::string::npos ||
                                              item.find("Art. 10") != std::string::npos ||
                                              item.find("UAVG art. 46") != std::string::npos);
    out += sensitive ? "<li class=\"sensitive\">" + H(item) + "</li>" : "<li>" + H(item) + "</li>";
  }
  return out + "</ul>";
}

void Row(std::ostringstream& out, const char* label, const std::string& html) {
  out << "<dt>" << label << "</dt><dd>" << html << "</dd>\n";
}

}  // namespace

std::string RenderRegisterHtml(const policy::Policy& p) {
  const policy::Controller& c = p.controller;
  const std::vector<RegisterActivity> activities = RegisterActivities(p);
  const std::string title = "Record of processing activities";
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"referrer\" content=\"no-referrer\">\n"
      << "<title>" << H(title + (c.name.empty() ? "" : " — " + c.name)) << "</title>\n<style>" << kCss
      << "</style>\n</head>\n<body>\n<main>\n";
  out << "<div class=\"kicker\">GDPR Art. 30 · register van verwerkingsactiviteiten</div>\n<h1>" << H(title)
      << "</h1>\n";
  out << "<dl class=\"controller\">\n";
  Row(out, "Controller", H(c.name) + (c.address.empty() ? "" : "<br>" + H(c.address)));
  if (!c.contact.empty()) Row(out, "Privacy contact", H(c.contact));
  if (!c.dpo_name.empty() || !c.dpo_contact.empty())
    Row(out, "Data protection officer",
        H(c.dpo_name) + (c.dpo_contact.empty() ? "" : (c.dpo_name.empty() ? "" : ", ") + H(c.dpo_contact)));
  if (!c.supervisory_authority.empty()) Row(out, "Supervisory authority", H(c.supervisory_authority));
  if (!c.security_measures.empty()) Row(out, "Security measures (Art. 30(1)(g))", H(c.security_measures));
  out << "</dl>\n";
  out << "<p class=\"count\">" << activities.size()
      << (activities.size() == 1 ? " processing activity" : " processing activities") << "</p>\n";
  for (const RegisterActivity& a : activities) {
    out << "<section class=\"activity\">\n<h2><span class=\"mono\">" << H(a.purpose) << "</span>";
    if (a.automated_decisions) out << "<span class=\"flag\">automated decision-making, Art. 22</span>";
    out << "</h2>\n";
    if (!a.description.empty()) out << "<p class=\"desc\">" << H(a.description) << "</p>\n";
    out << "<dl>\n";
    Row(out, "Legal basis", H(a.legal_basis));
    Row(out, "Data subjects", List(a.data_subjects, "none named"));
    Row(out, "Categories of personal data", List(a.categories, "none named", true));
    Row(out, "Recipients", List(a.recipients, "none"));
    Row(out, "Transfers outside the EU/EEA", List(a.transfers, "none"));
    Row(out, "Retention", a.retention == "not set" ? "<span class=\"sensitive\">not set</span>" : H(a.retention));
    out << "</dl>\n</section>\n";
  }
  out << "<footer>Written by dpo from the policy <span class=\"mono\">" << H(p.file)
      << "</span>. Keep it with the policy: regenerate it whenever the policy changes.</footer>\n"
      << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace dpo::report
