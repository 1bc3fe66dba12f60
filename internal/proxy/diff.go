package proxy

import (
	"slices"
)

// change is what one incremental transaction must do to turn the old
// Ruleset into the new one. Chains are compared by rendered rules, sets by
// definition and elements by key and verdict.
type change struct {
	NewChains     []*Chain // created, then filled
	ChangedChains []*Chain // flushed, then refilled
	GoneChains    []string // flushed, then deleted once unreferenced
	NewSets       []*Set   // created with their elements
	RecreatedSets []*Set   // definition changed: deleted and created again
	GoneSets      []string
	DelElements   map[string][]Element // by set; includes changed verdicts
	AddElements   map[string][]Element
}

// empty reports a no-op change.
func (c *change) empty() bool {
	return len(c.NewChains)+len(c.ChangedChains)+len(c.GoneChains)+len(c.NewSets)+
		len(c.RecreatedSets)+len(c.GoneSets)+len(c.DelElements)+len(c.AddElements) == 0
}

// diff computes the change from old to cur. Both must be sorted.
func diff(old, cur *Ruleset) *change {
	ch := &change{DelElements: map[string][]Element{}, AddElements: map[string][]Element{}}
	recreated := map[string]bool{}
	for _, s := range cur.Sets {
		o := old.Set(s.Name)
		switch {
		case o == nil:
			ch.NewSets = append(ch.NewSets, s)
		case !sameSetDefinition(o, s):
			ch.RecreatedSets = append(ch.RecreatedSets, s)
			recreated[s.Name] = true
		default:
			diffElements(ch, o, s)
		}
	}
	for _, o := range old.Sets {
		if cur.Set(o.Name) == nil {
			ch.GoneSets = append(ch.GoneSets, o.Name)
		}
	}
	for _, c := range cur.Chains {
		o := old.Chain(c.Name)
		switch {
		case o == nil:
			ch.NewChains = append(ch.NewChains, c)
		case !sameRules(o.Rules, c.Rules) || refersTo(c, recreated):
			ch.ChangedChains = append(ch.ChangedChains, c)
		}
	}
	for _, o := range old.Chains {
		if cur.Chain(o.Name) == nil {
			ch.GoneChains = append(ch.GoneChains, o.Name)
		}
	}
	return ch
}

func sameSetDefinition(a, b *Set) bool {
	return a.Key == b.Key && a.Verdicts == b.Verdicts && a.Timeout == b.Timeout && a.Comment == b.Comment
}

func sameRules(a, b []Rule) bool {
	return slices.EqualFunc(a, b, func(x, y Rule) bool { return x.String() == y.String() })
}

func refersTo(c *Chain, sets map[string]bool) bool {
	if len(sets) == 0 {
		return false
	}
	for _, r := range c.Rules {
		_, ss := r.refs()
		for _, s := range ss {
			if sets[s] {
				return true
			}
		}
	}
	return false
}

// diffElements merges two sorted element lists. A key whose verdict
// changed is deleted and added again in the same transaction.
func diffElements(ch *change, o, s *Set) {
	i, j := 0, 0
	for i < len(o.Elements) || j < len(s.Elements) {
		var c int
		switch {
		case i == len(o.Elements):
			c = 1
		case j == len(s.Elements):
			c = -1
		default:
			c = compareStrings(o.keyString(o.Elements[i]), s.keyString(s.Elements[j]))
		}
		switch {
		case c < 0:
			ch.DelElements[s.Name] = append(ch.DelElements[s.Name], o.Elements[i])
			i++
		case c > 0:
			ch.AddElements[s.Name] = append(ch.AddElements[s.Name], s.Elements[j])
			j++
		default:
			if o.Elements[i].Verdict != s.Elements[j].Verdict {
				ch.DelElements[s.Name] = append(ch.DelElements[s.Name], o.Elements[i])
				ch.AddElements[s.Name] = append(ch.AddElements[s.Name], s.Elements[j])
			}
			i++
			j++
		}
	}
}
