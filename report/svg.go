package report

import (
	"strconv"
	"strings"

	"github.com/acc-formation/acc/casefile"
)

// Charts are computed here as plain geometry and drawn by the HTML
// template, which escapes every text. They carry a title and a textual
// description for screen readers; the same numbers are always also given
// in a table next to the chart.

type lineChart struct {
	ID, Title, Desc string
	W, H            int
	Left, Right     float64 // plot area
	Top, Bottom     float64
	YTicks          []tick
	XTicks          []tick
	Series          []series
}

type tick struct {
	Pos   float64
	Label string
}

type series struct {
	Name, Class, Marker string // Marker: circle or square
	Points              string
	Dots                []dot
	LegendY             float64
}

type dot struct {
	X, Y  float64
	Label string
}

// ratingsChart draws the autonomy and interaction ratings over time.
func ratingsChart(id string, all []Rating) *lineChart {
	var rs []Rating // only dated ones can be placed
	for _, r := range all {
		if _, err := casefile.ParseDate(r.Date); err == nil {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	c := &lineChart{ID: id, W: 640, H: 250, Left: 150, Right: 620, Top: 20, Bottom: 200,
		Title: "Évolution de l'autonomie et des interactions (1 à 4)"}
	y := func(v int) float64 { return c.Bottom - float64(v-1)*(c.Bottom-c.Top)/3 }
	for v := 1; v <= 4; v++ {
		c.YTicks = append(c.YTicks, tick{y(v), strconv.Itoa(v)})
	}
	first, _ := casefile.ParseDate(rs[0].Date)
	last, _ := casefile.ParseDate(rs[len(rs)-1].Date)
	span := float64(casefile.DaysBetween(first, last))
	x := func(date string) float64 {
		if span <= 0 {
			return (c.Left + c.Right) / 2
		}
		t, _ := casefile.ParseDate(date)
		return c.Left + 20 + float64(casefile.DaysBetween(first, t))/span*(c.Right-c.Left-40)
	}
	step := 1
	if len(rs) > 8 {
		step = (len(rs) + 7) / 8
	}
	for i, r := range rs {
		if i%step == 0 || i == len(rs)-1 {
			c.XTicks = append(c.XTicks, tick{x(r.Date), shortDate(r.Date)})
		}
	}
	var desc []string
	for k, s := range []struct {
		name, class, marker string
		val                 func(Rating) int
	}{
		{"Autonomie", "s-autonomy", "circle", func(r Rating) int { return r.Autonomy }},
		{"Interactions", "s-interactions", "square", func(r Rating) int { return r.Interactions }},
	} {
		se := series{Name: s.name, Class: s.class, Marker: s.marker, LegendY: c.Top + 10 + float64(k)*22}
		var pts, words []string
		for _, r := range rs {
			v := s.val(r)
			if v == 0 {
				continue
			}
			px, py := x(r.Date), y(v)
			pts = append(pts, num(px)+","+num(py))
			se.Dots = append(se.Dots, dot{px, py, s.name + " " + strconv.Itoa(v) + " le " + shortDate(r.Date)})
			words = append(words, strconv.Itoa(v)+" le "+shortDate(r.Date))
		}
		se.Points = strings.Join(pts, " ")
		if len(words) > 0 {
			desc = append(desc, s.name+" : "+strings.Join(words, ", "))
		}
		c.Series = append(c.Series, se)
	}
	c.Desc = strings.Join(desc, ". ") + "."
	return c
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// barChart is a horizontal bar chart; a bar may be stacked.
type barChart struct {
	ID, Title, Desc string
	W, H            int
	LabelW          float64
	Bars            []bar
	Legend          []legendItem
}

type bar struct {
	Y     float64
	Label string
	Value string // the text after the bar
	ValX  float64
	Segs  []seg
}

type seg struct {
	X, W  float64
	Class string
	Title string
}

type legendItem struct {
	X     float64
	Class string
	Label string
}

type barInput struct {
	Label string
	Parts []barPart
}

type barPart struct {
	N          int
	Suppressed bool
	Class      string
	Name       string // for the tooltip and legend
}

// barsChart draws one bar per input, scaled to the largest total.
// Suppressed parts draw nothing and read "< 5".
func barsChart(id, title string, in []barInput, legend bool) *barChart {
	const rowH = 26.0
	c := &barChart{ID: id, Title: title, W: 640, LabelW: 190}
	top := 8.0
	if legend {
		top = 30
	}
	c.H = int(top + rowH*float64(len(in)) + 8)
	max := 0
	for _, b := range in {
		t := 0
		for _, p := range b.Parts {
			t += p.N
		}
		if t > max {
			max = t
		}
	}
	area := float64(c.W) - c.LabelW - 70
	var desc []string
	for i, b := range in {
		br := bar{Y: top + float64(i)*rowH, Label: b.Label}
		x := c.LabelW
		var vals []string
		for _, p := range b.Parts {
			cnt := Count{N: p.N, Suppressed: p.Suppressed}
			vals = append(vals, cnt.String())
			if p.Suppressed || p.N == 0 || max == 0 {
				continue
			}
			w := float64(p.N) / float64(max) * area
			br.Segs = append(br.Segs, seg{X: x, W: w, Class: p.Class, Title: p.Name + " : " + cnt.String()})
			x += w
		}
		br.Value = strings.Join(vals, " / ")
		br.ValX = x + 6
		c.Bars = append(c.Bars, br)
		desc = append(desc, b.Label+" : "+br.Value)
	}
	if legend && len(in) > 0 {
		x := c.LabelW
		for _, p := range in[0].Parts {
			c.Legend = append(c.Legend, legendItem{X: x, Class: p.Class, Label: p.Name})
			x += 130
		}
	}
	c.Desc = strings.Join(desc, ". ") + "."
	return c
}
