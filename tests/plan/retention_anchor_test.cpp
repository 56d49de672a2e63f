// Retention rules for schemas without a date on the row itself: a shop with
// customers, orders and order lines (as in the public sample databases).
//   order_lines: keep 7y after orders.order_date      (the parent's date)
//   customers:   keep 1y after latest orders.order_date or created_at
//   orders:      keep 7y after order_date, legal hold tax_dispute
// A hold on an order also holds its lines. Same answers on SQLite (foreign
// keys in the schema) and CSV (relations declared in the policy).
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "plan/plan_json.h"
#include "plan/retention_apply.h"
#include "plan/retention_plan.h"
#include "policy/loader.h"
#include "relations/policy_relations.h"
#include "source/csv/csv_source.h"
#include "source/sqlite/sqlite_source.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

constexpr const char* kAsOf = "2026-06-01";  // 7y cutoff 2019-06-01, 1y cutoff 2025-06-01

const char* kPolicy = R"(version: 1
controller: { name: Shop B.V., contact: privacy@shop.example }
data_subjects:
  customer: { description: Customers }
categories:
  contact: { description: Name and e-mail, sensitivity: ordinary, detectors: [person_name, email] }
  orders: { description: What a customer bought, sensitivity: ordinary }
purposes:
  sales:
    description: Selling and delivering
    legal_basis: contract
    data_subjects: [customer]
    categories: [contact, orders]
datasets:
  customers:
    data_subject: customer
    subject_key: id
    purposes: [sales]
    columns: { id: none, name: contact, email: contact, created_at: none }
  orders:
    data_subject: customer
    purposes: [sales]
    columns: { id: none, customer_id: none, order_date: orders, tax_hold: none }
    relations:
      - { columns: [customer_id], references: customers.id, on_delete: cascade }
  order_lines:
    data_subject: customer
    purposes: [sales]
    columns: { id: none, order_id: none, product: orders }
    relations:
      - { columns: [order_id], references: orders.id, on_delete: cascade }
retention:
  lines:
    dataset: order_lines
    keep: 7y after orders.order_date
    basis: Art. 52 AWR (7 years)
  orders:
    dataset: orders
    keep: 7y after order_date
    legal_holds:
      - { name: tax_dispute, reason: a tax dispute is open, when: [ { column: tax_hold, equals: 1 } ] }
    basis: Art. 52 AWR (7 years)
  customers:
    dataset: customers
    keep: 1y after latest orders.order_date or created_at
    basis: AVG art. 5(1)(e)
)";

// customer 1: orders 2016 and 2026 -> latest 2026, kept
// customer 2: one order 2018 under a tax hold -> past, kept because its order must stay
// customer 3: no orders, created 2016 -> past by created_at
// customer 4: no orders, no created_at -> undated
// customer 5: no orders, created 2026 -> kept
// customer 6: orders 2019-01-01 and one without a date -> latest 2019, past
// lines: 1,2 of order 1 (2016), 3 of order 2 (2026), 4 of order 3 (held),
//        5 of order 4 (2019), 6 without an order (undated)
const char* kCustomers = "id,name,email,created_at\n1,A,a@x.example,2015-01-01\n2,B,b@x.example,2015-01-01\n"
                         "3,C,c@x.example,2016-01-01\n4,D,d@x.example,\n5,E,e@x.example,2026-01-01\n"
                         "6,F,f@x.example,2014-01-01\n";
const char* kOrders = "id,customer_id,order_date,tax_hold\n1,1,2016-01-01,0\n2,1,2026-01-01,0\n3,2,2018-03-01,1\n"
                      "4,6,2019-01-01,0\n5,6,,0\n";
const char* kLines = "id,order_id,product\n1,1,pen\n2,1,ink\n3,2,pen\n4,3,desk\n5,4,lamp\n6,,gift\n";

struct Shop {
  std::string dir;
  policy::Policy policy;

  Shop() {
    dir = (fs::temp_directory_path() / ("dpo-anchor-" + std::to_string(getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir + "/csv");
    std::ofstream(dir + "/csv/customers.csv") << kCustomers;
    std::ofstream(dir + "/csv/orders.csv") << kOrders;
    std::ofstream(dir + "/csv/order_lines.csv") << kLines;
    auto loaded = policy::LoadPolicyString(kPolicy, "shop.yaml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    for (const auto& d : loaded->diagnostics) INFO(d.message);
    REQUIRE(loaded->diagnostics.empty());
    policy = loaded->policy;
    MakeSqlite();
  }
  ~Shop() { fs::remove_all(dir); }

  void MakeSqlite() {
    const std::string script =
        "PRAGMA foreign_keys=ON;"
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, created_at TEXT);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,"
        " order_date TEXT, tax_hold INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id) ON DELETE CASCADE,"
        " product TEXT);"
        "INSERT INTO customers VALUES (1,'A','a@x.example','2015-01-01'),(2,'B','b@x.example','2015-01-01'),"
        "(3,'C','c@x.example','2016-01-01'),(4,'D','d@x.example',NULL),(5,'E','e@x.example','2026-01-01'),"
        "(6,'F','f@x.example','2014-01-01');"
        "INSERT INTO orders VALUES (1,1,'2016-01-01',0),(2,1,'2026-01-01',0),(3,2,'2018-03-01',1),"
        "(4,6,'2019-01-01',0),(5,6,NULL,0);"
        "INSERT INTO order_lines VALUES (1,1,'pen'),(2,1,'ink'),(3,2,'pen'),(4,3,'desk'),(5,4,'lamp'),(6,NULL,'gift');";
    std::string cmd = "sqlite3 '" + dir + "/shop.db' \"" + script + "\"";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }

  std::unique_ptr<source::Source> Open(const std::string& kind, bool read_only) {
    source::OpenOptions options;
    options.read_only = read_only;
    auto src = kind == "csv" ? source::OpenCsvSource(dir + "/csv", options)
                             : source::OpenSqliteSource(dir + "/shop.db", options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return std::move(*src);
  }

  plan::RetentionPlan Plan(source::Source& src, const policy::Policy& p) {
    plan::PlanOptions options;
    options.as_of = *util::ParseIsoDate(kAsOf);
    auto made = plan::MakeRetentionPlan(p, src, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    return *made;
  }
};

// A copy: callers pass temporary plans (a reference into one dangled; AddressSanitizer).
plan::RulePlan RuleOf(const plan::RetentionPlan& p, const std::string& name) {
  for (const plan::RulePlan& r : p.rules)
    if (r.rule == name) return r;
  FAIL("no rule " << name);
  return p.rules.front();
}

std::set<std::string> Ids(source::Source& src, const std::string& table) {
  source::ReadRequest request;
  request.columns = {"id"};
  auto reader = src.Read(table, request);
  REQUIRE(reader.ok());
  std::set<std::string> ids;
  source::RowBatch batch;
  while (*(*reader)->Next(&batch))
    for (size_t r = 0; r < batch.num_rows(); ++r) ids.insert(std::string(batch.Cell(r, 0)));
  return ids;
}

}  // namespace

TEST_CASE("keep after TABLE.COLUMN and after latest TABLE.COLUMN or COLUMN: the loader's model") {
  Shop shop;
  const policy::RetentionRule* lines = nullptr;
  const policy::RetentionRule* customers = nullptr;
  for (const auto& r : shop.policy.retention) {
    if (r.id == "lines") lines = &r;
    if (r.id == "customers") customers = &r;
  }
  REQUIRE(lines != nullptr);
  REQUIRE(customers != nullptr);
  CHECK(lines->after_table == "orders");
  CHECK(lines->after_column == "order_date");
  CHECK_FALSE(lines->after_latest);
  CHECK(customers->after_latest);
  CHECK(customers->after_fallback == "created_at");
  CHECK(customers->AfterText() == "latest orders.order_date or created_at");
}

TEST_CASE("the forms that cannot be meant are refused with the way to write them") {
  for (const char* keep : {"1y after latest order_date", "1y after created_at or updated_at", "1y after .x",
                           "1y after orders."}) {
    std::string text = kPolicy;
    size_t at = text.find("1y after latest orders.order_date or created_at");
    text.replace(at, std::string("1y after latest orders.order_date or created_at").size(), keep);
    auto loaded = policy::LoadPolicyString(text, "shop.yaml");
    REQUIRE(loaded.ok());
    INFO(keep);
    REQUIRE(loaded->diagnostics.size() == 1);
    CHECK(loaded->diagnostics[0].hint.find("keep: 1y after") != std::string::npos);
  }
}

TEST_CASE("plans count from the parent's date and from the latest child, on SQLite and CSV") {
  for (const std::string kind : {"sqlite", "csv"}) {
    CAPTURE(kind);
    Shop shop;
    auto src = shop.Open(kind, true);
    plan::RetentionPlan p = shop.Plan(*src, shop.policy);

    const plan::RulePlan& lines = RuleOf(p, "lines");
    CHECK(lines.blocked.empty());
    CHECK(lines.after_column == "orders.order_date");
    CHECK(lines.to_act == 3);  // lines 1, 2 (order 1) and 5 (order 4)
    REQUIRE(lines.holds.size() == 1);
    CHECK(lines.holds[0].parent == "orders");  // line 4: its order is under the tax hold
    CHECK(lines.holds[0].rows == 1);
    CHECK(lines.undated == 1);  // line 6 has no order

    const plan::RulePlan& customers = RuleOf(p, "customers");
    CHECK(customers.blocked.empty());
    CHECK(customers.to_act == 2);             // 3 (by created_at) and 6 (latest order 2019)
    CHECK(customers.kept_for_children == 1);  // 2: its order is held
    CHECK(customers.undated == 1);            // 4: no orders, no created_at

    const plan::RulePlan& orders = RuleOf(p, "orders");
    CHECK(orders.to_act == 2);  // 1 and 4
    CHECK(orders.undated == 1);
  }
}

TEST_CASE("applying it leaves exactly the rows that must stay, and a second plan finds nothing") {
  for (const std::string kind : {"sqlite", "csv"}) {
    CAPTURE(kind);
    Shop shop;
    plan::RetentionPlan p;
    {
      auto ro = shop.Open(kind, true);
      p = shop.Plan(*ro, shop.policy);
    }
    auto rw = shop.Open(kind, false);
    plan::ApplyOptions options;
    options.max_percent = 100;
    options.declared = relations::PolicyRelations(shop.policy);
    auto applied = plan::ApplyRetentionPlan(p, *rw, options);
    REQUIRE_MESSAGE(applied.ok(), applied.status().message());
    CHECK(Ids(*rw, "customers") == std::set<std::string>{"1", "2", "4", "5"});
    CHECK(Ids(*rw, "orders") == std::set<std::string>{"2", "3"});
    CHECK(Ids(*rw, "order_lines") == std::set<std::string>{"3", "4", "6"});

    plan::RetentionPlan again = shop.Plan(*rw, shop.policy);
    CHECK(again.TotalRows() == 0);
  }
}

TEST_CASE("a rule without `or COLUMN` never expires rows without children, and says how many") {
  Shop shop;
  policy::Policy p = shop.policy;
  for (auto& r : p.retention)
    if (r.id == "customers") r.after_fallback.clear();
  auto src = shop.Open("sqlite", true);
  plan::RetentionPlan made = shop.Plan(*src, p);
  const plan::RulePlan& customers = RuleOf(made, "customers");
  CHECK(customers.to_act == 1);  // only 6; 3 has no orders
  CHECK(customers.undated == 3);  // 3, 4 and 5
}

TEST_CASE("no reference, or two, between the tables blocks the rule with both tables named") {
  Shop shop;
  {
    policy::Policy p = shop.policy;
    for (auto& r : p.retention)
      if (r.id == "lines") r.after_table = "customers", r.after_column = "created_at";
    auto src = shop.Open("csv", true);
    const plan::RulePlan& lines = RuleOf(shop.Plan(*src, p), "lines");
    CHECK(lines.blocked.find("order_lines to customers") != std::string::npos);
    CHECK(lines.blocked.find("declare one") != std::string::npos);
  }
  {
    policy::Policy p = shop.policy;
    for (auto& d : p.datasets)
      if (d.table == "order_lines") {
        policy::Relation second = d.relations.front();
        second.columns = {"id"};
        d.relations.push_back(second);
      }
    auto src = shop.Open("csv", true);
    const plan::RulePlan& lines = RuleOf(shop.Plan(*src, p), "lines");
    CHECK(lines.blocked.find("there are 2") != std::string::npos);
  }
}

TEST_CASE("the plan JSON keeps undated counts and inherited holds") {
  Shop shop;
  auto src = shop.Open("sqlite", true);
  plan::RetentionPlan p = shop.Plan(*src, shop.policy);
  auto back = plan::PlanFromJson(plan::PlanToJson(p), "p.json");
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  const plan::RulePlan& lines = RuleOf(*back, "lines");
  CHECK(lines.undated == 1);
  REQUIRE(lines.holds.size() == 1);
  CHECK(lines.holds[0].parent == "orders");
}

TEST_CASE("index advice: the date and reference columns a plan looks up without an index, until they have one") {
  Shop shop;
  auto has = [](const plan::RetentionPlan& p, const std::string& table, const std::string& column) {
    for (const plan::IndexAdvice& a : p.index_advice)
      if (a.table == table && a.columns.front() == column) return true;
    return false;
  };
  {
    auto src = shop.Open("sqlite", true);
    plan::RetentionPlan p = shop.Plan(*src, shop.policy);
    CHECK(has(p, "orders", "order_date"));     // lines and orders count from it
    CHECK(has(p, "order_lines", "order_id"));  // lines look up their order
    CHECK(has(p, "orders", "customer_id"));    // customers: the latest order
    CHECK(has(p, "customers", "created_at"));  // the `or` column
    CHECK_FALSE(has(p, "orders", "id"));       // the primary key serves it
    for (const plan::IndexAdvice& a : p.index_advice) CHECK(a.sql.rfind("CREATE INDEX IF NOT EXISTS ", 0) == 0);
    auto back = plan::PlanFromJson(plan::PlanToJson(p), "p.json");
    REQUIRE(back.ok());
    CHECK(back->index_advice.size() == p.index_advice.size());
    // Running the advice makes it go away.
    std::string script;
    for (const plan::IndexAdvice& a : p.index_advice) script += a.sql + ";";
    REQUIRE(std::system(("sqlite3 '" + shop.dir + "/shop.db' '" + script + "'").c_str()) == 0);
  }
  auto src = shop.Open("sqlite", true);
  CHECK(shop.Plan(*src, shop.policy).index_advice.empty());
  auto csv = shop.Open("csv", true);
  CHECK(shop.Plan(*csv, shop.policy).index_advice.empty());  // a CSV file has no indexes
}

TEST_CASE("regression: a hold of another rule on the same table keeps the row; an empty date in a DATE column is no date") {
  Shop shop;
  // A second rule on orders, without holds: the tax hold of rule `orders` still keeps order 3.
  policy::Policy p = shop.policy;
  policy::RetentionRule short_rule;
  for (const auto& r : p.retention)
    if (r.id == "orders") short_rule = r;
  short_rule.id = "orders_short";
  short_rule.keep = util::Duration::Years(3);
  short_rule.legal_holds.clear();
  p.retention.push_back(short_rule);
  {
    auto src = shop.Open("sqlite", true);
    const plan::RulePlan& r = RuleOf(shop.Plan(*src, p), "orders_short");
    CHECK(r.to_act == 2);  // orders 1 and 4; 3 is held by the other rule's hold
    int64_t held = 0;
    for (const auto& h : r.holds) held += h.rows;
    CHECK(held == 1);
  }
  // SQLite keeps '' in a column declared DATE, and compares it below every date.
  const std::string db = shop.dir + "/typed.db";
  const std::string script =
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, created_at DATE);"
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,"
      " order_date DATE, tax_hold INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id) ON DELETE CASCADE,"
      " product TEXT);"
      "INSERT INTO customers VALUES (1,'A','a@x.example',''),(2,'B','b@x.example',1262304000);"
      "INSERT INTO orders VALUES (1,1,'',0),(2,1,'2016-01-01',0);"
      "INSERT INTO order_lines VALUES (1,1,'pen'),(2,2,'ink');";
  REQUIRE(std::system(("sqlite3 '" + db + "' \"" + script + "\"").c_str()) == 0);
  source::OpenOptions options;
  auto src = source::OpenSqliteSource(db, options);
  REQUIRE(src.ok());
  plan::RetentionPlan made = shop.Plan(**src, shop.policy);
  CHECK(RuleOf(made, "orders").to_act == 1);    // order 2 only; order 1 has no date
  CHECK(RuleOf(made, "orders").undated == 1);
  CHECK(RuleOf(made, "lines").to_act == 1);     // line 2 only
  // 1: its latest dated order is from 2016 (the undated one does not count);
  // 2: no orders, and a number where created_at should be a date: undated.
  CHECK(RuleOf(made, "customers").to_act == 1);
  CHECK(RuleOf(made, "customers").undated == 1);
}
