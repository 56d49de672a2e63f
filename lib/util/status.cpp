#include "util/status.h"

namespace dpo {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kBusy: return "busy";
    case StatusCode::kIoError: return "I/O error";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

}  // namespace dpo
