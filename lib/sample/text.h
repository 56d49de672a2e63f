// Free text for the sample: CV summaries, motivation letters, placement
// evaluations, absence reasons and conversation notes in Dutch and English.
// Each maker appends the text and returns the schema.h Mention bits of the
// kinds it put in (a phone number, a health term, ...), so the ground truth
// knows exactly what every free-text column mentions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sample/rng.h"

namespace dpo::sample {

// What the texts may quote about the person or a third party.
struct TextContext {
  std::string_view job_title;
  std::string_view email;        // the subject's own e-mail
  std::string_view other_name;   // a third party (a reference)
  std::string_view other_phone;
  std::string_view other_email;
};

uint32_t AppendCvText(Rng& rng, const TextContext& ctx, std::string& out);
uint32_t AppendMotivationLetter(Rng& rng, const TextContext& ctx, std::string& out);
uint32_t AppendConversationNote(Rng& rng, const TextContext& ctx, std::string& out);
void AppendEvaluation(Rng& rng, std::string& out);
void AppendAbsenceReason(Rng& rng, std::string& out);

}  // namespace dpo::sample
