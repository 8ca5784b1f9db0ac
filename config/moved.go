package config

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Move is one moved block, Terraform's way of renaming without buying
// again: the state of From is re-addressed to To before the plan is made.
type Move struct {
	From, To string // video.NAME, video.NAME["KEY"] or video.NAME[N]
	// Block: neither endpoint has a key, so the whole block moves, every
	// instance with it (video.shot["a"] becomes video.scene["a"]).
	// Otherwise one instance moves; an endpoint without a key is then the
	// single block's one instance (video.shot["a"] -> video.hero).
	Block     bool
	FromName  string // the block name of From, for a block move
	ToName    string
	DeclRange hcl.Range // the moved block header
	FromRange hcl.Range // the value of from
	ToRange   hcl.Range // the value of to
}

// Covers reports whether addr is moved by m: the address itself, or for a
// block move any instance of the block.
func (m Move) Covers(addr string) bool {
	if !m.Block {
		return addr == m.From
	}
	return addr == m.From || strings.HasPrefix(addr, m.From+"[")
}

// Target is the address that addr (covered by m) moves to.
func (m Move) Target(addr string) string {
	if !m.Block {
		return m.To
	}
	return m.To + strings.TrimPrefix(addr, m.From)
}

var movedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "to", Required: true}},
}

// moveEndpoint is one side of a moved block, parsed.
type moveEndpoint struct {
	Name    string
	Address string
	HasKey  bool
}

// decodeMovedBlock reads from and to as references (video.a, not "video.a").
func decodeMovedBlock(b *hcl.Block) (*Move, hcl.Diagnostics) {
	content, diags := b.Body.Content(movedSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	mv := &Move{DeclRange: b.DefRange}
	from, d := moveEndpointOf(content.Attributes["from"])
	diags = append(diags, d...)
	to, d := moveEndpointOf(content.Attributes["to"])
	diags = append(diags, d...)
	if from == nil || to == nil {
		return nil, diags
	}
	mv.From, mv.To = from.Address, to.Address
	mv.FromName, mv.ToName = from.Name, to.Name
	mv.Block = !from.HasKey && !to.HasKey
	mv.FromRange = content.Attributes["from"].Expr.Range()
	mv.ToRange = content.Attributes["to"].Expr.Range()
	if mv.From == mv.To {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Redundant moved block",
			Detail:   fmt.Sprintf("This moved block moves %s to itself; remove it.", mv.From),
			Subject:  mv.ToRange.Ptr(),
		})
	}
	return mv, diags
}

func moveEndpointOf(attr *hcl.Attribute) (*moveEndpoint, hcl.Diagnostics) {
	bad := func(detail string) (*moveEndpoint, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + attr.Name + " address",
			Detail:   detail + ` A moved block names videos as references, not strings: from = video.old, to = video.new, or with a key video.shot["a"] or video.shot[0].`,
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	tr, diags := hcl.AbsTraversalForExpr(attr.Expr)
	if diags.HasErrors() {
		return bad(fmt.Sprintf("The %s of a moved block must be a video address.", attr.Name))
	}
	if tr.RootName() != "video" || len(tr) < 2 || len(tr) > 3 {
		return bad(fmt.Sprintf("The %s of a moved block must be a video address, video.NAME or video.NAME[KEY].", attr.Name))
	}
	name, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return bad(fmt.Sprintf("The %s of a moved block must be a video address, video.NAME or video.NAME[KEY].", attr.Name))
	}
	ep := &moveEndpoint{Name: name.Name, Address: "video." + name.Name}
	if len(tr) == 2 {
		return ep, nil
	}
	idx, ok := tr[2].(hcl.TraverseIndex)
	if !ok {
		return bad(fmt.Sprintf("The %s of a moved block may have one key in brackets, nothing else.", attr.Name))
	}
	ep.HasKey = true
	switch k := idx.Key; {
	case k.Type() == cty.String:
		ep.Address = fmt.Sprintf("%s[%q]", ep.Address, k.AsString())
	case k.Type() == cty.Number:
		i, acc := k.AsBigFloat().Int64()
		if acc != big.Exact || i < 0 {
			return bad(fmt.Sprintf("The key of %s must be a for_each key in quotes or a whole count index.", attr.Name))
		}
		ep.Address = fmt.Sprintf("%s[%d]", ep.Address, i)
	default:
		return bad(fmt.Sprintf("The key of %s must be a for_each key in quotes or a whole count index.", attr.Name))
	}
	return ep, nil
}

// checkMoves applies Terraform's rules to the moved blocks once the videos
// are known: a from must be gone from the manifest and a to must be in it;
// no two blocks move the same address or onto the same one; and a move is
// not moved again (chains and cycles are refused: write one block from the
// first address to the last). It returns the moves that passed.
func checkMoves(moves []*Move, declared map[string]*videoBlock, videos []*Video) ([]Move, hcl.Diagnostics) {
	c := &moveChecker{moves: moves, declared: declared, failed: make([]bool, len(moves)),
		inManifest: make(map[string]*Video, len(videos))}
	for _, v := range videos {
		c.inManifest[v.Address] = v
	}
	c.checkAmbiguous()
	c.checkChains()
	for i, mv := range moves {
		if c.failed[i] {
			continue
		}
		fromStill, toMissing := c.endpointProblems(mv)
		if fromStill != "" {
			c.fail(i, "Moved object still exists", fromStill, mv.FromRange)
		}
		if toMissing != "" {
			c.fail(i, "Move to an undeclared video", toMissing, mv.ToRange)
		}
	}
	var out []Move
	for i, mv := range moves {
		if !c.failed[i] {
			out = append(out, *mv)
		}
	}
	return out, c.diags
}

// moveChecker is checkMoves' state: which moves have failed a rule (and so
// are not checked against the later ones) and what was reported.
type moveChecker struct {
	moves      []*Move
	declared   map[string]*videoBlock
	inManifest map[string]*Video
	failed     []bool
	diags      hcl.Diagnostics
}

func (c *moveChecker) fail(i int, summary, detail string, subject hcl.Range) {
	c.failed[i] = true
	c.diags = append(c.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject.Ptr()})
}

// checkAmbiguous refuses a block that moves the same address as an earlier
// one, or onto the same address.
func (c *moveChecker) checkAmbiguous() {
	for i, mv := range c.moves {
		for _, prev := range c.moves[:i] {
			switch {
			case prev.From == mv.From:
				c.fail(i, "Ambiguous move statements",
					fmt.Sprintf("%s is already moved to %s by the moved block at %s; one address can move to one place only.", mv.From, prev.To, lineOf(prev.DeclRange)),
					mv.FromRange)
			case prev.To == mv.To:
				c.fail(i, "Ambiguous move statements",
					fmt.Sprintf("%s already receives %s by the moved block at %s; two videos cannot move onto one address.", mv.To, prev.From, lineOf(prev.DeclRange)),
					mv.ToRange)
			}
		}
	}
}

// checkChains refuses a to that another block moves again: a cycle when
// they lead back (reported once, on the first of the pair), else a chain.
func (c *moveChecker) checkChains() {
	for i, mv := range c.moves {
		for j, other := range c.moves {
			if i == j || c.failed[i] || !other.Covers(mv.To) && !(mv.Block && other.FromName == mv.ToName) {
				continue
			}
			if mv.Covers(other.To) || other.Block && mv.FromName == other.ToName {
				if i < j {
					c.fail(i, "Cyclic move statements",
						fmt.Sprintf("This block moves %s to %s and the moved block at %s moves %s back to %s; remove both.", mv.From, mv.To, lineOf(other.DeclRange), other.From, other.To),
						mv.DeclRange)
					c.failed[j] = true
				}
				continue
			}
			c.fail(i, "Chained move statements",
				fmt.Sprintf("%s is moved again, to %s, by the moved block at %s; ltxform does not follow chains of moves. "+
					"Write one block from the first address to the last: moved { from = %s  to = %s }.", mv.To, other.Target(mv.To), lineOf(other.DeclRange), mv.From, other.Target(mv.To)),
				mv.ToRange)
		}
	}
}

// endpointProblems says what is wrong with a move's ends ("" when
// nothing): a from still in the manifest, a to not in it. A block move is
// checked by block name, an instance move by address.
func (c *moveChecker) endpointProblems(mv *Move) (fromStill, toMissing string) {
	if mv.Block {
		if vb := c.declared[mv.FromName]; vb != nil {
			fromStill = fmt.Sprintf("%s is still declared at %s. A moved block's from names a video that is gone from the manifest: rename or remove the block, or remove this moved block.", mv.From, lineOf(vb.DeclRange))
		}
		if c.declared[mv.ToName] == nil {
			toMissing = fmt.Sprintf("No video block %q is declared; a moved block's to names a video of the manifest.%s", mv.ToName, didYouMean(mv.ToName, c.declared))
		}
		return fromStill, toMissing
	}
	if v := c.inManifest[mv.From]; v != nil {
		fromStill = fmt.Sprintf("%s is still in the manifest (declared at %s). A moved block's from names a video that is gone from the manifest.", mv.From, lineOf(v.DeclRange))
	}
	if c.inManifest[mv.To] == nil {
		toMissing = fmt.Sprintf("%s is not a video of the manifest; a moved block's to names one (with its key, if the block has for_each or count).", mv.To)
	}
	return fromStill, toMissing
}

// lineOf is FILE:LINE, for a detail that points at another block.
func lineOf(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }

// didYouMean names the declared block closest to name, if one is close.
func didYouMean(name string, declared map[string]*videoBlock) string {
	return suggestName(name, sortedKeys(declared))
}
