// Regression (issue 13): discovery labelled a notes column by its strongest
// evidence, so notes full of health, criminal and union remarks that also
// held e-mail addresses were "contact". Free text is labelled by the most
// sensitive kind it holds.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "scan/scanner.h"
#include "source/source.h"

namespace {

const dpo::scan::ColumnReport* Column(const dpo::scan::ScanResult& r, const std::string& name) {
  for (const auto& t : r.tables)
    for (const auto& c : t.columns)
      if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("discovery: a notes column is labelled by the most sensitive thing it holds") {
  const auto dir = std::filesystem::temp_directory_path() / ("dpo-freetext-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "gesprekken.csv").string();
  {
    std::ofstream out(path);
    out << "id,kandidaat,notitie,mailnotitie\n";
    const char* first[] = {"Jan", "Piet", "Anna", "Fatima", "Kees", "Sanne", "Mohamed", "Eva"};
    const char* remarks[] = {
        "Gesprek gehad; kandidaat was vorig jaar met burn-out thuis, mail naar {m}",
        "VOG aangevraagd, strafblad vermeld bij intake; bevestiging via {m}",
        "Lid van de FNV, vraagt naar cao; contact via {m}",
        "Heeft een veroordeling wegens diefstal, VOG geweigerd. Reactie naar {m}",
        "Zwanger, verlof vanaf juni; afspraken per mail {m}",
    };
    for (int i = 0; i < 60; ++i) {
      const std::string mail = std::string(first[i % 8]) + std::to_string(i) + "@voorbeeld.nl";
      std::string note = remarks[i % 5];
      note.replace(note.find("{m}"), 3, mail);
      std::string mail_note = "Stuur de planning van week " + std::to_string(i % 52 + 1) + " naar " + mail + " graag";
      out << i + 1 << "," << first[i % 8] << " de Vries," << '"' << note << "\"," << '"' << mail_note << "\"\n";
    }
  }
  auto src = dpo::source::OpenSource(path, dpo::source::OpenOptions{});
  REQUIRE(src.ok());
  dpo::scan::ScanOptions options;
  options.full = true;
  options.threads = 1;
  auto r = dpo::scan::RunScan(**src, options);
  REQUIRE(r.ok());
  const auto* notes = Column(*r, "notitie");
  REQUIRE(notes != nullptr);
  CHECK(notes->free_text);
  // Criminal remarks (Art. 10) outrank health and union (Art. 9), which outrank contact.
  CHECK(notes->discovered_category == "criminal");
  const auto* mail_notes = Column(*r, "mailnotitie");
  REQUIRE(mail_notes != nullptr);
  CHECK(mail_notes->discovered_category == "contact");  // only e-mail addresses in it
  std::filesystem::remove_all(dir);
}
