package state

import (
	"maps"
	"slices"
	"strings"
)

// NewState is an empty state of the current format, before any snapshot.
func NewState() *State {
	return &State{FormatVersion: FormatVersion, Entries: map[string]*Entry{}}
}

// Clone is a deep copy, so that a plan can keep the state it was built from
// while the executor records new transitions.
func (s *State) Clone() *State {
	if s == nil {
		return nil
	}
	c := *s
	c.Entries = make(map[string]*Entry, len(s.Entries))
	for addr, e := range s.Entries {
		ec := *e
		c.Entries[addr] = &ec
	}
	return &c
}

// Sorted returns the entries ordered by address, for stable output.
func (s *State) Sorted() []*Entry {
	if s == nil {
		return []*Entry{}
	}
	addrs := slices.Sorted(maps.Keys(s.Entries))
	out := make([]*Entry, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, s.Entries[a])
	}
	return out
}

// Get returns the entry for address, or nil.
func (s *State) Get(address string) *Entry {
	if s == nil {
		return nil
	}
	return s.Entries[address]
}

// apply folds one journal operation into s.
func (s *State) apply(op journalOp) {
	switch op.Op {
	case opSet:
		e := *op.Entry
		s.Entries[e.Address] = &e
	case opRemove:
		delete(s.Entries, op.Address)
	}
}

// NormalizeAddress accepts the forms people type in a shell, where the quotes
// of video.shot["unboxing"] are easily lost: video.shot[unboxing] and
// video.shot['unboxing'] both become video.shot["unboxing"]. Numeric count
// indexes stay bare.
func NormalizeAddress(addr string) string {
	open := strings.IndexByte(addr, '[')
	if open < 0 || !strings.HasSuffix(addr, "]") {
		return addr
	}
	key := addr[open+1 : len(addr)-1]
	if len(key) >= 2 && key[0] == '\'' && key[len(key)-1] == '\'' {
		key = key[1 : len(key)-1]
	} else if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		return addr
	}
	if key != "" && strings.Trim(key, "0123456789") == "" {
		return addr[:open] + "[" + key + "]"
	}
	return addr[:open] + `["` + key + `"]`
}
