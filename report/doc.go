// Package report turns folded case files into the documents of acc report:
// the report on one beneficiary (which doubles as the answer to a right of
// access request), the caseload ("file active") and the Qualiopi evidence,
// written as Markdown, self-contained HTML or versioned JSON.
//
// Building and writing are separate. BuildBeneficiary, BuildCaseload (or
// NewCaseload and Add, one case at a time) and BuildQualiopi make a model
// from casefile.Case values and the validation findings the caller got;
// WriteMarkdown, WriteHTML and WriteJSON (or Write with a Format) print any
// model to an io.Writer. The package reads no file, runs no validation and
// never looks at the clock: Options.Today is the day time-based judgements
// use.
//
// The caseload builders keep one small summary per beneficiary and never
// the documents, so that a caseload of any size can be streamed through
// them. That summary (CaseloadBuilder.Entry, QualiopiBuilder.Row) does not
// depend on the day and has a binary form, so that a caller may keep it
// between runs and add it again (AddEntry, AddRow) without the case. README.md documents the JSON shape and the decisions the design
// contract leaves open (anonymisation, attention criteria, Qualiopi
// mapping).
package report
