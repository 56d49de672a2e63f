#include "source/source.h"

namespace dpo::source {

Result<WriteResult> ApplyAll(Source& source, const std::vector<WriteOp>& ops, const WriteOptions& options) {
  Result<std::unique_ptr<Transaction>> tx = source.Begin(options);
  if (!tx.ok()) return tx.status();
  WriteResult result;
  for (size_t i = 0; i < ops.size(); ++i) {
    Result<int64_t> n = (*tx)->Execute(ops[i]);
    if (!n.ok()) {
      (*tx)->Rollback();
      return n.status().WithContext("operation " + std::to_string(i + 1) + " of " + std::to_string(ops.size()) +
                                    " (nothing was changed)");
    }
    result.rows_affected.push_back(*n);
  }
  DPO_RETURN_IF_ERROR((*tx)->Commit());
  return result;
}

}  // namespace dpo::source
