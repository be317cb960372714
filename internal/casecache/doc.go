// Package casecache keeps, between runs, what each beneficiary's case gives
// the whole-caseload answers (the caseload report, the Qualiopi evidence,
// acc status and acc agenda), keyed by the content of the case files, so that
// a run where little changed reads and parses little.
//
// Per beneficiary it keeps an item (report.CaseloadEntry, report.QualiopiRow
// or casefile.Brief: what the case gives whatever the day, judged again on
// the day asked), the identity of the case files it was made from
// (validate.FileState: Git blob ids and stat signatures) and, for the kinds
// that count findings, the beneficiary's numbers of errors and warnings, the
// documents in error and the day they were counted. It keeps one pack file per
// kind and set of options under .git/acc/cache/report. A beneficiary whose
// files are unchanged is then neither read nor validated again the same
// day, and only validated (from the validator's own pack, without parsing)
// on another day. Beneficiaries that changed are validated and parsed once:
// the validator hands their parsed documents over
// (validate.RunOptions.Documents). See report/README.md, "Performance".
package casecache
