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
	var diags hcl.Diagnostics
	inManifest := make(map[string]*Video, len(videos))
	for _, v := range videos {
		inManifest[v.Address] = v
	}
	failed := make([]bool, len(moves))
	fail := func(i int, d *hcl.Diagnostic) {
		failed[i] = true
		diags = append(diags, d)
	}
	at := func(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }

	for i, mv := range moves {
		for j := 0; j < i; j++ {
			prev := moves[j]
			switch {
			case prev.From == mv.From:
				fail(i, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Ambiguous move statements",
					Detail:   fmt.Sprintf("%s is already moved to %s by the moved block at %s; one address can move to one place only.", mv.From, prev.To, at(prev.DeclRange)),
					Subject:  mv.FromRange.Ptr(),
				})
			case prev.To == mv.To:
				fail(i, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Ambiguous move statements",
					Detail:   fmt.Sprintf("%s already receives %s by the moved block at %s; two videos cannot move onto one address.", mv.To, prev.From, at(prev.DeclRange)),
					Subject:  mv.ToRange.Ptr(),
				})
			}
		}
	}
	// A to that another block moves again: a cycle when they lead back,
	// else a chain.
	for i, mv := range moves {
		for j, other := range moves {
			if i == j || failed[i] || !other.Covers(mv.To) && !(mv.Block && other.FromName == mv.ToName) {
				continue
			}
			if mv.Covers(other.To) || other.Block && mv.FromName == other.ToName {
				if i < j {
					fail(i, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Cyclic move statements",
						Detail:   fmt.Sprintf("This block moves %s to %s and the moved block at %s moves %s back to %s; remove both.", mv.From, mv.To, at(other.DeclRange), other.From, other.To),
						Subject:  mv.DeclRange.Ptr(),
					})
					failed[j] = true
				}
				continue
			}
			fail(i, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Chained move statements",
				Detail: fmt.Sprintf("%s is moved again, to %s, by the moved block at %s; ltxform does not follow chains of moves. "+
					"Write one block from the first address to the last: moved { from = %s  to = %s }.", mv.To, other.Target(mv.To), at(other.DeclRange), mv.From, other.Target(mv.To)),
				Subject: mv.ToRange.Ptr(),
			})
		}
	}
	for i, mv := range moves {
		if failed[i] {
			continue
		}
		if mv.Block {
			if vb := declared[mv.FromName]; vb != nil {
				fail(i, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Moved object still exists",
					Detail:   fmt.Sprintf("%s is still declared at %s. A moved block's from names a video that is gone from the manifest: rename or remove the block, or remove this moved block.", mv.From, at(vb.DeclRange)),
					Subject:  mv.FromRange.Ptr(),
				})
			}
			if declared[mv.ToName] == nil {
				fail(i, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Move to an undeclared video",
					Detail:   fmt.Sprintf("No video block %q is declared; a moved block's to names a video of the manifest.%s", mv.ToName, didYouMean(mv.ToName, declared)),
					Subject:  mv.ToRange.Ptr(),
				})
			}
			continue
		}
		if v := inManifest[mv.From]; v != nil {
			fail(i, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Moved object still exists",
				Detail:   fmt.Sprintf("%s is still in the manifest (declared at %s). A moved block's from names a video that is gone from the manifest.", mv.From, at(v.DeclRange)),
				Subject:  mv.FromRange.Ptr(),
			})
		}
		if inManifest[mv.To] == nil {
			fail(i, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Move to an undeclared video",
				Detail:   fmt.Sprintf("%s is not a video of the manifest; a moved block's to names one (with its key, if the block has for_each or count).", mv.To),
				Subject:  mv.ToRange.Ptr(),
			})
		}
	}
	var out []Move
	for i, mv := range moves {
		if !failed[i] {
			out = append(out, *mv)
		}
	}
	return out, diags
}

// didYouMean names the declared block closest to name, if one is close.
func didYouMean(name string, declared map[string]*videoBlock) string {
	return suggestName(name, sortedKeys(declared))
}
