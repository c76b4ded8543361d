package web

import "github.com/callbackline/callbackline/stats"

// chart is the dashboard's bar chart of requests per day, drawn as inline
// SVG (the page runs no script): a bar of requests per day with the part
// called back over it.
type chart struct {
	Width, Height int
	Top           int // the y of the highest bar
	Base          int // the y of the bars' foot
	Max           int // the value of the top line
	Bars          []chartBar
	Ticks         []chartTick
}

// chartBar is one day's bar.
type chartBar struct {
	X, W             int
	Y, H             int // requests
	CY, CH           int // called back
	Date             string
	Requests, Called int
	RequestsTitle    string
}

// chartTick is a date under the bars.
type chartTick struct {
	X    int
	Text string
}

// Chart geometry: the plot is left-padded for the scale.
const (
	chartWidth  = 760
	chartHeight = 180
	chartLeft   = 36
	chartTop    = 10
	chartFoot   = 150
)

// newChart lays out one bar per day.
func newChart(days []stats.Day) chart {
	c := chart{Width: chartWidth, Height: chartHeight, Top: chartTop, Base: chartFoot}
	for _, d := range days {
		c.Max = max(c.Max, d.Requests)
	}
	if len(days) == 0 {
		return c
	}
	step := (chartWidth - chartLeft) / len(days)
	scale := func(n int) int {
		if c.Max == 0 {
			return 0
		}
		return n * (chartFoot - chartTop) / c.Max
	}
	every := max(1, (len(days)+6)/7)
	for i, d := range days {
		x := chartLeft + i*step
		b := chartBar{X: x + 1, W: max(1, step-2), H: scale(d.Requests), CH: scale(d.Connected), Date: d.Date,
			Requests: d.Requests, Called: d.Connected}
		b.Y, b.CY = chartFoot-b.H, chartFoot-b.CH
		c.Bars = append(c.Bars, b)
		if i%every == 0 {
			c.Ticks = append(c.Ticks, chartTick{X: x, Text: d.Date[5:]})
		}
	}
	return c
}
