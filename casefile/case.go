package casefile

import (
	"path"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// Case is one beneficiary's case file: the record sheet and the interviews in
// fold order, with the objectives folded over them.
type Case struct {
	ID    string
	Fiche *Document // nil when fiche.md is missing
	// Interviews are in fold order: date, then phase order of the type, then
	// the file name's suffix number (none, -2, -3 … -10).
	Interviews []*Document
	// Objectives in order of first declaration.
	Objectives []*Objective
	byID       map[string]*Objective
}

// Objective is the folded state of one objective across the documents that
// declare, revise and follow it.
type Objective struct {
	ID         string
	Intitule   string
	Indicateur string
	Echeance   time.Time // zero when never given
	Actions    []Action
	// Revisions lists every declaration in fold order; the first is the
	// original one.
	Revisions []Revision
	// Followups lists every suivi_objectifs entry about it, in fold order.
	Followups []Followup
	// Retained reports that a contractualisation lists it in objectifs_retenus.
	Retained bool
}

// Revision is one declaration of an objective in a document.
type Revision struct {
	Doc  *Document
	Date time.Time
	Node *yaml.Node // the objective's mapping in the document
	// Fields lists the keys this declaration gives (besides id).
	Fields []string
}

// Action is a concrete step of an objective.
type Action struct {
	Libelle     string
	Echeance    time.Time
	Responsable string
	Fait        bool
	Doc         *Document
	Node        *yaml.Node
}

// Followup is one suivi_objectifs entry.
type Followup struct {
	Doc         *Document
	Date        time.Time
	Node        *yaml.Node
	Statut      string
	Commentaire string
}

// Objective statuses (DESIGN §3.4).
const (
	StatusOpen      = "en-cours"
	StatusPostponed = "reporte"
)

// FinalStatuses are the statuses that close an objective.
var FinalStatuses = []string{"atteint", "partiellement-atteint", "non-atteint", "abandonne"}

// IsFinalStatus reports whether s closes an objective.
func IsFinalStatus(s string) bool {
	for _, f := range FinalStatuses {
		if s == f {
			return true
		}
	}
	return false
}

// Status returns the objective's current status: the last follow-up's, or
// en-cours when it was never followed.
func (o *Objective) Status() string {
	if n := len(o.Followups); n > 0 && o.Followups[n-1].Statut != "" {
		return o.Followups[n-1].Statut
	}
	return StatusOpen
}

// Closed reports whether the objective has a final status.
func (o *Objective) Closed() bool { return IsFinalStatus(o.Status()) }

// Last returns the latest declaration.
func (o *Objective) Last() Revision { return o.Revisions[len(o.Revisions)-1] }

// Objective returns the folded objective with that id, or nil.
func (c *Case) Objective(id string) *Objective { return c.byID[id] }

// DocDate returns the date that orders a document: its file name's date, else
// its frontmatter date; zero when neither is usable.
func DocDate(d *Document, isType func(string) bool) time.Time {
	if fn, ok := ParseFileName(path.Base(d.Path), isType); ok {
		return fn.Date
	}
	t, _ := d.Date("date")
	return t
}

// NewCase sorts the interviews in fold order and folds the objectives.
// rank gives the methodology order of a type (DESIGN §1); unknown types rank
// after every known one.
func NewCase(id string, fiche *Document, interviews []*Document, rank func(string) (int, bool)) *Case {
	c := &Case{ID: id, Fiche: fiche, byID: map[string]*Objective{}}
	isType := func(s string) bool { _, ok := rank(s); return ok }
	type key struct {
		date time.Time
		rank int
		n    int
		path string
	}
	keys := make(map[*Document]key, len(interviews))
	for _, d := range interviews {
		k := key{date: DocDate(d, isType), rank: 1 << 20, n: 1, path: d.Path}
		if fn, ok := ParseFileName(path.Base(d.Path), isType); ok {
			k.n = fn.N
			k.rank, _ = rank(fn.Type)
		} else if r, ok := rank(d.Type()); ok {
			k.rank = r
		}
		keys[d] = k
	}
	c.Interviews = append([]*Document(nil), interviews...)
	sort.SliceStable(c.Interviews, func(i, j int) bool {
		a, b := keys[c.Interviews[i]], keys[c.Interviews[j]]
		switch {
		case !a.date.Equal(b.date):
			return a.date.Before(b.date)
		case a.rank != b.rank:
			return a.rank < b.rank
		case a.n != b.n:
			return a.n < b.n
		}
		return a.path < b.path
	})
	for _, d := range c.Interviews {
		c.fold(d, keys[d].date)
	}
	return c
}

func (c *Case) fold(d *Document, date time.Time) {
	objs, _ := d.Get("objectifs")
	if objs != nil && objs.Kind == yaml.SequenceNode {
		seen := map[string]bool{}
		for _, item := range objs.Content {
			item = Resolve(item)
			idNode, _ := Get(item, "id")
			id := Scalar(idNode)
			if id == "" || seen[id] {
				continue // reported by the validator
			}
			seen[id] = true
			o := c.byID[id]
			if o == nil {
				o = &Objective{ID: id}
				c.byID[id] = o
				c.Objectives = append(c.Objectives, o)
			}
			rev := Revision{Doc: d, Date: date, Node: item}
			for _, p := range Pairs(item) {
				switch k := p.Key.Value; k {
				case "id":
					continue
				case "intitule":
					o.Intitule = Scalar(p.Value)
				case "indicateur":
					o.Indicateur = Scalar(p.Value)
				case "echeance":
					if t, ok := DateOf(p.Value); ok {
						o.Echeance = t
					}
				case "actions":
					// A revision that lists actions replaces the list.
					o.Actions = actionsOf(d, Resolve(p.Value))
				}
				rev.Fields = append(rev.Fields, p.Key.Value)
			}
			o.Revisions = append(o.Revisions, rev)
		}
	}
	if ret, _ := d.Get("objectifs_retenus"); ret != nil && ret.Kind == yaml.SequenceNode {
		for _, n := range ret.Content {
			if o := c.byID[Scalar(Resolve(n))]; o != nil {
				o.Retained = true
			}
		}
	}
	if sv, _ := d.Get("suivi_objectifs"); sv != nil && sv.Kind == yaml.SequenceNode {
		for _, item := range sv.Content {
			item = Resolve(item)
			ref, _ := Get(item, "objectif")
			o := c.byID[Scalar(ref)]
			if o == nil {
				continue // objectif-inconnu, reported by the validator
			}
			st, _ := Get(item, "statut")
			cm, _ := Get(item, "commentaire")
			o.Followups = append(o.Followups, Followup{Doc: d, Date: date, Node: item, Statut: Scalar(st), Commentaire: Scalar(cm)})
		}
	}
}

func actionsOf(d *Document, seq *yaml.Node) []Action {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]Action, 0, len(seq.Content))
	for _, item := range seq.Content {
		item = Resolve(item)
		a := Action{Doc: d, Node: item}
		lib, _ := Get(item, "libelle")
		a.Libelle = Scalar(lib)
		ech, _ := Get(item, "echeance")
		a.Echeance, _ = DateOf(ech)
		resp, _ := Get(item, "responsable")
		a.Responsable = Scalar(resp)
		fait, _ := Get(item, "fait")
		a.Fait, _ = BoolOf(fait)
		out = append(out, a)
	}
	return out
}
