package scenario

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"trapdoor/core/trace"
)

func itoa(n int) string { return strconv.Itoa(n) }

// grade fills the report's steps and checks once the run is over.
func (g *grader) grade() {
	r := g.report
	if g.k != nil {
		r.Instructions = g.k.Instructions()
	}
	for _, sr := range g.steps {
		res := sr.res
		res.Stdout, res.StdoutBytes = excerpt(string(sr.stdout.b)), sr.stdout.n
		res.Stderr, res.StderrBytes = excerpt(string(sr.stderr.b)), sr.stderr.n
		if sr.step.Wait {
			res.Ended = true
		}
		r.Steps = append(r.Steps, res)
	}
	for i := range g.sc.Checks {
		c := &g.sc.Checks[i]
		cr := CheckResult{ID: c.ID, Kind: c.Kind(), Step: c.Step, Message: c.Message, MaxPoints: 1}
		if cr.ID == "" {
			cr.ID = "check " + itoa(i+1)
		}
		if c.Points != nil {
			cr.MaxPoints = *c.Points
		}
		g.progress.check(i, cr.ID)
		if g.ran {
			g.evaluate(i, c, &cr)
		} else {
			cr.Error = "the scenario did not run: " + r.Error
		}
		if cr.Error != "" {
			cr.Passed = false
		}
		if cr.Passed {
			cr.Points = cr.MaxPoints
		}
		r.Points += cr.Points
		r.MaxPoints += cr.MaxPoints
		r.Checks = append(r.Checks, cr)
	}
	r.Passed = r.Error == ""
	for _, cr := range r.Checks {
		r.Passed = r.Passed && cr.Passed
	}
	if r.Checks == nil {
		r.Checks = []CheckResult{}
	}
}

// Kind names which check a Check is: exit, stdout, stderr, trace, log or
// state (validation guarantees exactly one).
func (c *Check) Kind() string {
	switch {
	case c.Exit != nil:
		return "exit"
	case c.Stdout != nil:
		return "stdout"
	case c.Stderr != nil:
		return "stderr"
	case c.Trace != nil:
		return "trace"
	case c.Log != nil:
		return "log"
	}
	return "state"
}

func (g *grader) evaluate(i int, c *Check, cr *CheckResult) {
	step := g.stepIndex(c.Step)
	switch {
	case c.Exit != nil:
		g.checkExit(c.Exit, g.steps[step], cr)
	case c.Stdout != nil:
		text := g.all.b
		if step >= 0 {
			text = g.steps[step].stdout.b
		}
		checkText(c.Stdout, string(text), cr)
	case c.Stderr != nil:
		text := g.all.b
		if step >= 0 {
			text = g.steps[step].stderr.b
		}
		checkText(c.Stderr, string(text), cr)
	case c.Trace != nil:
		if g.traceCut {
			cr.Error = fmt.Sprintf("the trace was cut at %d events", MaxTraceEvents)
			return
		}
		g.checkTrace(c.Trace, step, cr)
	case c.Log != nil:
		g.checkLog(c.Log, cr)
	case c.State != nil:
		g.checkState(i, c.State, step, cr)
	}
}

func (g *grader) checkExit(e *ExitCheck, sr *stepRun, cr *CheckResult) {
	if e.Status != nil {
		cr.Expected = "status " + itoa(*e.Status)
	} else {
		cr.Expected = "killed by " + e.Signal
	}
	switch {
	case sr.res.Error != "":
		cr.Got = sr.res.Error
	case !sr.res.Ended:
		cr.Got = "still running"
	case sr.res.Signal != "":
		cr.Got = "killed by " + sr.res.Signal
	default:
		cr.Got = "status " + itoa(sr.res.Status)
	}
	if e.Status != nil {
		cr.Passed = sr.res.Ended && sr.res.Error == "" && sr.res.Signal == "" && sr.res.Status == *e.Status
	} else {
		cr.Passed = sr.res.Ended && sr.res.Signal == e.Signal
	}
	if !cr.Passed {
		cr.Excerpt = excerpt(string(sr.stderr.b))
	}
}

// checkText checks an output against every condition given.
func checkText(t *TextCheck, text string, cr *CheckResult) {
	var want []string
	var fails []string
	if t.Equals != nil {
		want = append(want, "equal to "+strconv.Quote(cut(*t.Equals)))
		if text != *t.Equals {
			fails = append(fails, firstDifference(*t.Equals, text))
		}
	}
	for _, s := range t.Contains {
		want = append(want, "containing "+strconv.Quote(s))
		if !strings.Contains(text, s) {
			fails = append(fails, "does not contain "+strconv.Quote(s))
		}
	}
	for _, s := range t.NotContains {
		want = append(want, "not containing "+strconv.Quote(s))
		if at := strings.Index(text, s); at >= 0 {
			fails = append(fails, fmt.Sprintf("contains %q (line %d)", s, strings.Count(text[:at], "\n")+1))
		}
	}
	if t.Regex != "" {
		want = append(want, "matching /"+t.Regex+"/")
		if !regexp.MustCompile(t.Regex).MatchString(text) { // compiled by validate
			fails = append(fails, "does not match /"+t.Regex+"/")
		}
	}
	cr.Expected = strings.Join(want, ", ")
	cr.Passed = len(fails) == 0
	cr.Detail = strings.Join(fails, "; ")
	if text == "" {
		cr.Got = "(empty)"
	} else if !cr.Passed {
		cr.Excerpt = excerpt(text)
	}
}

// firstDifference names the first line where got departs from want.
func firstDifference(want, got string) string {
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			switch {
			case i >= len(gl) || g == "":
				return fmt.Sprintf("line %d: want %q, the output ends", i+1, cut(w))
			case i >= len(wl) || w == "":
				return fmt.Sprintf("line %d: unexpected %q after the expected end", i+1, cut(g))
			}
			return fmt.Sprintf("line %d: want %q, got %q", i+1, cut(w), cut(g))
		}
	}
	return "differs"
}

// cut shortens a quoted string in a detail line.
func cut(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// scope is the trace events a check looks at: calls and signals of the
// step's processes (or of everyone).
func (g *grader) scope(step int, mainOnly bool) []*trace.Event {
	var out []*trace.Event
	for i := range g.events {
		oe := &g.events[i]
		if mainOnly && oe.ev.Pid != g.steps[step].root {
			continue
		}
		if (step < 0 || oe.step == step) && (oe.ev.Kind == trace.Syscall || oe.ev.Kind == trace.Signal) {
			out = append(out, &oe.ev)
		}
	}
	return out
}

// describe prints a pattern for evidence.
func (p *CallPattern) describe() string {
	if len(p.Or) > 0 {
		var alts []string
		for _, alt := range p.Or {
			alts = append(alts, alt.describe())
		}
		return strings.Join(alts, " or ")
	}
	if p.Signal != "" {
		return "signal " + p.Signal
	}
	var args []string
	for _, m := range p.Args {
		args = append(args, m.String())
	}
	s := p.Name + "(" + strings.Join(args, ", ") + ")"
	if p.Nr != nil {
		s = fmt.Sprintf("%s [nr %d]", s, *p.Nr)
	}
	if p.Ret != nil {
		s += " = " + p.Ret.String()
	}
	return s
}

// nearest lists up to three events that are the pattern's call (or
// signal) without matching it, with why, preferring those from index
// from on.
func nearest(evs []*trace.Event, from int, p *CallPattern) []string {
	var out []string
	pick := func(lo, hi int) {
		for j := lo; j < hi && len(out) < 3; j++ {
			e := evs[j]
			same := p.Signal != "" && e.Kind == trace.Signal || p.Signal == "" && e.Kind == trace.Syscall && p.names(e.Name)
			if !same {
				continue
			}
			_, why := p.matchEvent(e)
			line := renderer.Render(e)
			if why != "" {
				line += "    <- " + why
			}
			out = append(out, line)
		}
	}
	pick(from, len(evs))
	if len(out) == 0 {
		pick(0, min(from, len(evs)))
	}
	return out
}

func (g *grader) checkTrace(t *TraceCheck, step int, cr *CheckResult) {
	evs := g.scope(step, t.Process == "main")
	var want []string
	for i := range t.Calls {
		want = append(want, t.Calls[i].describe())
	}
	order := t.Order
	if order == "" {
		order = "sequence"
	}
	cr.Expected = order + ": " + strings.Join(want, "; ")
	switch order {
	case "sequence":
		pos := 0
		for i := range t.Calls {
			p := &t.Calls[i]
			found := -1
			for j := pos; j < len(evs); j++ {
				if ok, _ := p.matchEvent(evs[j]); ok {
					found = j
					break
				}
			}
			if found < 0 {
				cr.Detail = fmt.Sprintf("calls[%d] %s: no match after the %d matched before it", i, p.describe(), i)
				cr.Nearest = nearest(evs, pos, p)
				if len(cr.Nearest) == 0 {
					cr.Detail = fmt.Sprintf("calls[%d] %s: the trace has no such %s", i, p.describe(), eventWord(p))
				}
				return
			}
			cr.Matched = append(cr.Matched, renderer.Render(evs[found]))
			pos = found + 1
		}
		cr.Passed = true
	case "exact":
		best, bestAt := -1, -1
		for start := range evs {
			n := 0
			for n < len(t.Calls) && start+n < len(evs) {
				if ok, _ := t.Calls[n].matchEvent(evs[start+n]); !ok {
					break
				}
				n++
			}
			if n > best {
				best, bestAt = n, start
			}
			if n == len(t.Calls) {
				break
			}
		}
		if best <= 0 {
			cr.Detail = fmt.Sprintf("calls[0] %s: the trace has no matching %s", t.Calls[0].describe(), eventWord(&t.Calls[0]))
			cr.Nearest = nearest(evs, 0, &t.Calls[0])
			return
		}
		for j := 0; j < best; j++ {
			cr.Matched = append(cr.Matched, renderer.Render(evs[bestAt+j]))
		}
		if best == len(t.Calls) {
			cr.Passed = true
			return
		}
		cr.Detail = fmt.Sprintf("calls[%d] %s: the longest run matched %d calls, then:", best, t.Calls[best].describe(), best)
		if at := bestAt + best; at < len(evs) {
			line := renderer.Render(evs[at])
			if _, why := t.Calls[best].matchEvent(evs[at]); why != "" {
				line += "    <- " + why
			}
			cr.Nearest = []string{line}
		} else {
			cr.Detail += " the trace ends"
		}
	case "each":
		cr.Passed = true
		var details []string
		for i := range t.Calls {
			p := &t.Calls[i]
			n := 0
			first := ""
			for _, e := range evs {
				if ok, _ := p.matchEvent(e); ok {
					if n == 0 {
						first = renderer.Render(e)
					}
					n++
				}
			}
			count := p.Count
			if count == nil {
				one := int64(1)
				count = &Matcher{Ge: &one}
			}
			if !count.match(numValue(int64(n))) {
				cr.Passed = false
				details = append(details, fmt.Sprintf("calls[%d] %s: %d matching, want %s", i, p.describe(), n, count))
				if len(cr.Nearest) == 0 {
					cr.Nearest = nearest(evs, 0, p)
				}
			} else if first != "" {
				cr.Matched = append(cr.Matched, first)
			}
		}
		cr.Detail = strings.Join(details, "; ")
	}
}

func eventWord(p *CallPattern) string {
	if p.Signal != "" {
		return "signal"
	}
	if len(p.Or) > 0 {
		return "call"
	}
	return p.Name + " call"
}

func (g *grader) checkLog(l *LogCheck, cr *CheckResult) {
	var re *regexp.Regexp
	if l.Regex != "" {
		re = regexp.MustCompile(l.Regex) // compiled by validate
	}
	level := -1
	for i, name := range logLevelName {
		if name == l.Level {
			level = i
		}
	}
	var matched, seen []string
	for _, line := range g.k.Log.Lines {
		if level >= 0 && line.Level != level {
			continue
		}
		seen = append(seen, line.String())
		if l.Contains != "" && !strings.Contains(line.Text, l.Contains) || re != nil && !re.MatchString(line.Text) {
			continue
		}
		matched = append(matched, line.String())
	}
	count := l.Count
	if count == nil {
		one := int64(1)
		count = &Matcher{Ge: &one}
	}
	var want []string
	if l.Contains != "" {
		want = append(want, "containing "+strconv.Quote(l.Contains))
	}
	if re != nil {
		want = append(want, "matching /"+l.Regex+"/")
	}
	lvl := ""
	if l.Level != "" {
		lvl = " at level " + l.Level
	}
	cr.Expected = fmt.Sprintf("%s log lines%s %s", count, lvl, strings.Join(want, " and "))
	cr.Got = fmt.Sprintf("%d matching", len(matched))
	cr.Passed = count.match(numValue(int64(len(matched))))
	show := matched
	if len(show) == 0 {
		show = seen
		if len(show) > 10 {
			show = show[len(show)-10:]
		}
	}
	if len(show) > 10 {
		show = show[:10]
	}
	cr.Excerpt = excerpt(strings.Join(show, "\n"))
}

func (g *grader) checkState(i int, s *StateCheck, step int, cr *CheckResult) {
	cr.Expected = s.Value
	if s.Name != "" {
		cr.Expected += " of " + strconv.Quote(s.Name)
	}
	cr.Expected += ": " + s.Expect.String()
	var got value
	var err error
	if s.At == nil {
		got, err = g.readState(s, step, 0)
		cr.Detail = "sampled after the last step"
	} else {
		var p *probe
		for _, x := range g.probes {
			if x.check == i {
				p = x
			}
		}
		if !p.done {
			cr.Got = "never sampled"
			cr.Detail = "no trace event matched at: " + s.At.describe()
			return
		}
		got, err = p.got, p.err
		cr.Detail = "sampled at: " + p.atLine
	}
	if err != nil {
		cr.Got = err.Error()
		return
	}
	cr.Got = got.text
	if cr.Got == "" && got.hasNum {
		cr.Got = strconv.FormatInt(got.num, 10)
	}
	cr.Passed = s.Expect.match(got)
}
