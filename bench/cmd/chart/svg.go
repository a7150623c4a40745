package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Layout of the chart, in SVG user units.
const (
	width    = 960
	labelW   = 250 // row labels on the left
	plotR    = 880 // right edge of the plot; ratio labels may pass it
	barH     = 7
	rowGap   = 14
	headerH  = 90
	footerH  = 30
	minRatio = 0.25
)

var palette = []string{
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77",
}

// drawSVG draws one group of horizontal bars per row, one bar per library
// other than raw, from the 1× line to the library's ratio on a log2 axis.
func drawSVG(d *dataset) string {
	others := d.libs[1:]
	lo, hi := axisRange(d)
	x := func(r float64) float64 {
		return labelW + (plotR-labelW)*(math.Log2(r)-math.Log2(lo))/(math.Log2(hi)-math.Log2(lo))
	}
	groupH := float64(len(others)*barH + rowGap)
	height := headerH + groupH*float64(len(d.rows)) + footerH

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	text(&b, 10, 20, 15, "start", "Ratio to the raw channel pattern (median; lower is better; log scale)")
	text(&b, 10, 38, 11, "start", caption(d))
	for i, lib := range others {
		lx := 10 + float64(i%6)*150
		ly := 56 + float64(i/6)*14
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/>`+"\n", lx, ly-9, palette[i%len(palette)])
		text(&b, lx+14, ly, 11, "start", lib)
	}
	top, bottom := float64(headerH), headerH+groupH*float64(len(d.rows))
	for r := lo; r <= hi*1.0001; r *= 2 {
		stroke := "#ddd"
		if r == 1 {
			stroke = "#333"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x(r), top, x(r), bottom, stroke)
		text(&b, x(r), bottom+14, 10, "middle", fmt.Sprintf("%g×", r))
	}
	for i, r := range d.rows {
		y := top + groupH*float64(i)
		text(&b, labelW-8, y+groupH/2, 11, "end", r.title())
		for j, lib := range others {
			ratio, ok := r.ratio(lib)
			if !ok {
				continue
			}
			by := y + float64(j*barH)
			x0, x1 := x(1), x(math.Max(ratio, lo))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s: %.2f×</title></rect>`+"\n",
				math.Min(x0, x1), by, math.Max(math.Abs(x1-x0), 0.5), barH-1, palette[j%len(palette)], html.EscapeString(lib), ratio)
			text(&b, math.Max(x0, x1)+3, by+barH-1, 8, "start", fmt.Sprintf("%.2f", ratio))
		}
	}
	fmt.Fprintf(&b, "</svg>\n")
	return b.String()
}

// axisRange is the log2 axis: powers of two around every ratio and 1×.
func axisRange(d *dataset) (lo, hi float64) {
	lo, hi = 0.5, 2
	for _, r := range d.rows {
		for _, lib := range d.libs[1:] {
			if v, ok := r.ratio(lib); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	lo = math.Max(math.Pow(2, math.Floor(math.Log2(lo))), minRatio)
	return lo, math.Pow(2, math.Ceil(math.Log2(hi)))
}

func text(b *strings.Builder, x, y float64, size int, anchor, s string) {
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s">%s</text>`+"\n", x, y, size, anchor, html.EscapeString(s))
}
