#include "share/consent_filter.h"

#include "relations/policy_relations.h"
#include "util/message.h"

namespace dpo::share {
namespace {

// "table.column" naming the subject a column points at: the column it
// references (by a single-column foreign key or a policy relation), else
// itself. `source` gives a referenced table's primary key when the relation
// names no column.
std::string SubjectOf(source::Source& source, const source::Table& table, const std::string& column) {
  for (const source::ForeignKey& fk : table.foreign_keys) {
    if (fk.columns.size() != 1 || fk.columns[0] != column) continue;
    if (!fk.referenced_columns.empty()) return fk.referenced_table + "." + fk.referenced_columns[0];
    Result<source::Table> parent = source.DescribeShape(fk.referenced_table);
    if (parent.ok() && parent->primary_key.size() == 1) return fk.referenced_table + "." + parent->primary_key[0];
  }
  return table.name + "." + column;
}

std::string Name(const std::string& table, const std::string& column) {
  return util::NameForMessage(table + "." + column);
}

}  // namespace

source::Predicate ConsentFilter::Rows() const {
  return source::Predicate::InSelect({link_column}, records_table, {records_key}, standing);
}

Result<std::optional<ConsentFilter>> ConsentFilterFor(const policy::Policy& policy, source::Source& source,
                                                     const policy::Purpose& purpose, const policy::Dataset& dataset,
                                                     const source::Table& table, std::string* warning) {
  if (!purpose.RestsOnConsent()) return std::optional<ConsentFilter>();
  if (!purpose.consent) {
    if (warning != nullptr)
      *warning = "purpose " + purpose.id + " rests on consent but the policy does not say where consents are "
                 "recorded (purposes." + purpose.id + ".consent): rows of " + table.name +
                 " are exported without checking that each person's consent stands";
    return std::optional<ConsentFilter>();
  }
  const policy::ConsentRecords& records = *purpose.consent;
  const std::string at = policy.LocationOf("purposes." + purpose.id + ".consent", records.location).ToString();
  Result<source::Table> described = source.DescribeShape(records.dataset);
  if (!described.ok())
    return described.status().WithContext(at + ": the consent records of purpose " + purpose.id);
  source::Table records_table = std::move(*described);
  relations::MergePolicyRelations(policy, &records_table);

  ConsentFilter filter;
  filter.purpose = purpose.id;
  filter.records_table = records_table.name;
  filter.records_key = records.subject_key;
  if (filter.records_key.empty())
    if (const policy::Dataset* rd = policy.FindDataset(records.dataset)) filter.records_key = rd->subject_key;
  if (filter.records_key.empty())
    return Status::Error(at + ": the consent records of purpose " + purpose.id + " (" + records.dataset +
                             ") name no subject key; add subject_key: COLUMN to the consent records or the dataset",
                         StatusCode::kInvalidArgument);
  for (const std::string* c : std::vector<const std::string*>{&filter.records_key, &records.purpose_column,
                                                              &records.given_at, &records.withdrawn_at})
    if (!c->empty() && records_table.FindColumn(*c) == nullptr)
      return Status::Error(at + ": the consent records of purpose " + purpose.id + " use " +
                               Name(records_table.name, *c) + ", which " + records_table.name +
                               " does not have; correct purposes." + purpose.id + ".consent",
                           StatusCode::kInvalidArgument);

  std::vector<source::Predicate> standing;
  if (!records.purpose_column.empty())
    standing.push_back(source::Predicate::Compare(source::Predicate::Op::kEq, records.purpose_column,
                                                  records.purpose_value.empty() ? purpose.id : records.purpose_value));
  if (!records.given_at.empty()) standing.push_back(source::Predicate::Null(records.given_at, false));
  if (!records.withdrawn_at.empty()) standing.push_back(source::Predicate::Null(records.withdrawn_at, true));
  filter.standing = source::Predicate::All(std::move(standing));

  filter.link_column = dataset.subject_key;
  const std::string subject_of_records = SubjectOf(source, records_table, filter.records_key);
  if (filter.link_column.empty() || table.FindColumn(filter.link_column) == nullptr ||
      SubjectOf(source, table, filter.link_column) != subject_of_records)
    return Status::Error(
        policy.LocationOf("datasets." + dataset.table, dataset.location).ToString() + ": purpose " + purpose.id +
            " rests on consent, recorded in " + records_table.name + " by " +
            Name(records_table.name, filter.records_key) + " (" + subject_of_records + "), but the rows of " +
            table.name + " cannot be linked to those records, so whose consent stands cannot be checked; give " +
            table.name + " a subject_key that is, or references, " + subject_of_records +
            " (declare the relation under relations: if the schema has no foreign key)",
        StatusCode::kInvalidArgument);
  return std::optional<ConsentFilter>(std::move(filter));
}

Result<std::set<std::string>> StandingConsents(source::Source& source, const ConsentFilter& filter,
                                               const std::vector<std::string>& links) {
  std::set<std::string> out;
  if (links.empty()) return out;
  source::Predicate in;
  in.op = source::Predicate::Op::kIn;
  in.column = filter.records_key;
  in.values = links;
  source::ReadRequest request;
  request.columns = {filter.records_key};
  request.where = source::Predicate::All({filter.standing, std::move(in)});
  Result<std::unique_ptr<source::RowReader>> reader = source.Read(filter.records_table, request);
  if (!reader.ok()) return reader.status();
  source::RowBatch batch;
  while (true) {
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r)
      if (!batch.IsNull(r, 0)) out.insert(std::string(batch.Cell(r, 0)));
  }
  return out;
}

}  // namespace dpo::share
