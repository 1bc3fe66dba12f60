package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// report collects the table rows the run prints. Every row carries both
// sides and the ratio of API cost to etcd cost (time per operation, so 3.0
// means the API spends three times what etcd alone spends).
type report struct {
	rows  [][]string
	notes []string
}

func (r *report) row(cols ...string) { r.rows = append(r.rows, cols) }

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// throughput adds a row for an operation measured as ops/s.
// It also notes the CPU each side spent per operation.
func (r *report) throughput(name string, p pair, goal string) {
	r.row(name, fmt.Sprintf("%.0f ops/s", p.api.rate()), fmt.Sprintf("%.0f ops/s", p.etcd.rate()),
		fmt.Sprintf("%.2f", p.etcd.rate()/p.api.rate()), goal)
	r.note("%s — CPU per op: API %s; raw etcd %s", name, p.api.cpuPerOp(), p.etcd.cpuPerOp())
}

// latency adds a row for an operation measured as a latency.
func (r *report) latency(name string, api, etcd time.Duration, goal string) {
	ratio := "-"
	if etcd > 0 {
		ratio = fmt.Sprintf("%.2f", float64(api)/float64(etcd))
	}
	r.row(name, ms(api), ms(etcd), ratio, goal)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// print writes the table as Markdown, so a run can be pasted into
// docs/benchmarks.md as is.
func (r *report) print(w io.Writer) {
	head := []string{"measurement", "API", "raw etcd", "API cost / etcd cost", "goal"}
	all := append([][]string{head}, r.rows...)
	width := make([]int, len(head))
	for _, row := range all {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(row []string) {
		cells := make([]string, len(head))
		for i := range head {
			c := ""
			if i < len(row) {
				c = row[i]
			}
			cells[i] = c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	fmt.Fprintf(w, "|-%s-|\n", strings.Join(sep, "-|-"))
	for _, row := range r.rows {
		line(row)
	}
	fmt.Fprintln(w)
	for _, n := range r.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}
