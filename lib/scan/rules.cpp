#include "scan/rules.h"

namespace dpo::scan {

const std::vector<RuleInfo>& AllRules() {
  static const std::vector<RuleInfo> kRules = {
      {kCodeUndeclared, "Undeclared personal data",
       "The column holds personal data that the policy does not declare, so no purpose, legal basis or "
       "retention period covers it. Declare it in the policy (category, purpose, legal basis, retention) "
       "or stop storing it.",
       "GDPR Art. 5(1)(b), Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kError},
      {kCodeNoArt9Condition, "Special-category data without an Art. 9(2) condition",
       "The column holds special-category data (health, religion, ethnicity, political opinion, union "
       "membership, sex life, biometric or genetic data). Processing it is forbidden unless the policy "
       "names one of the Art. 9(2) conditions for it, such as explicit consent.",
       "GDPR Art. 9", "https://gdpr-info.eu/art-9-gdpr/", Severity::kError},
      {kCodeNoArt10Basis, "Criminal data without a basis",
       "The column holds data about criminal convictions or offences (e.g. a VOG or criminal record). "
       "It may only be processed under official authority or where a law allows it; the policy must "
       "name that basis.",
       "GDPR Art. 10", "https://gdpr-info.eu/art-10-gdpr/", Severity::kError},
      {kCodeNationalIdWithoutLaw, "National identification number without a legal obligation",
       "The column holds a BSN (Dutch citizen service number). A BSN may only be processed where a law "
       "requires it (payroll, tax); the policy must name that legal obligation.",
       "GDPR Art. 87, UAVG art. 46", "https://gdpr-info.eu/art-87-gdpr/", Severity::kError},
      {kCodeRetentionExpired, "Rows kept past their retention period",
       "Rows are older than the retention period the policy promises. Delete or anonymise them "
       "(dpo retention plan / apply), or correct the retention rule if a law requires keeping them "
       "longer.",
       "GDPR Art. 5(1)(e)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kError},
      {kCodeConsentMissing, "Data held for a consent-based purpose without a consent record",
       "The policy says this purpose rests on consent, but these subjects' data is held for it and the "
       "consent records hold no consent of theirs for it. The controller must be able to prove consent. "
       "Record the consent, or stop processing the data for this purpose (erase or restrict it).",
       "GDPR Art. 7(1), Art. 6(1)(a)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kError},
      {kCodeConsentWithdrawn, "Data still held after consent was withdrawn",
       "These subjects withdrew their consent for the purpose, and did not give it again, but the data "
       "held only for that purpose is still there. Withdrawal must be as easy as giving consent and has "
       "effect: erase or restrict the data (dpo erase plan), unless another legal basis covers it.",
       "GDPR Art. 7(3), Art. 17(1)(b)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kError},
      {kCodeConsentUnchecked, "Consent records cannot be checked",
       "The policy names where the consents of this purpose are recorded, but dpo could not link them to "
       "the data held for it on this source (a missing table or column, or no reference from the data to "
       "the subject). Fix the policy's consent records or relations.",
       "GDPR Art. 7(1)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kWarning},
      {kCodeConsentUnlinked, "Data held for a consent-based purpose that names no subject",
       "Rows hold data for a consent-based purpose but do not link to a subject (their subject key is "
       "empty), so their consent cannot be looked up. If these are anonymous visitors, their consent is "
       "recorded elsewhere (a cookie banner); otherwise link the rows.",
       "GDPR Art. 7(1)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kNote},
      {kCodeSpecialToRecipient, "Special category shared with a recipient without an Art. 9 ground",
       "The policy lets a recipient receive special-category (or criminal) data, but no purpose that shares "
       "data with that recipient lists the category with an Art. 9(2) condition (Art. 10 basis). Remove the "
       "category from the recipient, or ground the disclosure in the purpose.",
       "GDPR Art. 9, Art. 10, Art. 13(1)(e)", "https://gdpr-info.eu/art-9-gdpr/", Severity::kWarning},
      {kCodeCategoryMismatch, "Column holds a different category than declared",
       "The data in the column looks like another category than the policy declares for it. Correct the "
       "declaration, or move the data to where it is declared.",
       "GDPR Art. 30(1)(c)", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {kCodeFreeText, "Personal data in free text",
       "A free-text column (notes, remarks, comments) contains personal data. Free text escapes "
       "retention and access rules that apply to structured columns; minimise it, or declare the "
       "categories it holds.",
       "GDPR Art. 5(1)(c)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kWarning},
      {kCodeMissingTable, "Declared table is missing",
       "The policy declares a table or CSV file that the source does not have. The record of processing "
       "should describe reality: fix the name in the policy or remove the declaration.",
       "GDPR Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {kCodeMissingColumn, "Declared column is missing",
       "The policy declares a column that the table does not have. Fix the name in the policy or remove "
       "the declaration.",
       "GDPR Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {kCodeAcceptanceExpired, "An accepted finding's acceptance has expired",
       "The policy accepted this finding until a date that has passed, so the finding counts again. Fix "
       "it, or review it again and move the date of the policy's accepted entry.",
       "GDPR Art. 5(2)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kWarning},
      {kCodePersonalData, "Personal data found",
       "Discovery mode (no policy): the column holds personal data of the named category. Inventory it "
       "and declare it in a policy with a purpose, legal basis and retention period.",
       "GDPR Art. 4(1), Art. 30", "https://gdpr-info.eu/art-4-gdpr/", Severity::kNote},
  };
  return kRules;
}

const RuleInfo* FindRule(std::string_view code) {
  for (const RuleInfo& r : AllRules())
    if (code == r.code) return &r;
  return nullptr;
}

void SetRule(Finding* finding, const char* code) {
  finding->code = code;
  const RuleInfo* rule = FindRule(code);
  // Every code the engine emits is in the registry (a test checks it); an
  // unknown one would be an engine bug, and an error is the safe default.
  finding->severity = rule != nullptr ? rule->default_severity : Severity::kError;
}

}  // namespace dpo::scan
