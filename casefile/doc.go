// Package casefile is the domain of acc: case-file repositories, beneficiaries,
// documents with their positions, objectives, and the fold of a case over time.
//
// It never touches Git; the Git store (internal/gitstore) does that.
package casefile
