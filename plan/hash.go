package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// hashedVideo is what of a video a saved plan depends on.
type hashedVideo struct {
	Address   string `json:"a"`
	InputHash string `json:"h"`
	Output    string `json:"o"`
}

// hashedManifest is everything a saved plan was computed from besides the
// state: editing any of it makes the plan stale.
type hashedManifest struct {
	Videos     []hashedVideo      `json:"videos"`
	API        config.API         `json:"api"`
	MaxCredits float64            `json:"max_credits"`
	Pricing    map[string]float64 `json:"pricing"` // encoding/json sorts map keys
}

// ManifestHash is the sha256 of the evaluated manifest: each video's address,
// input hash and output in address order, and the settings.
func ManifestHash(m *config.Manifest) string {
	hashes := make([]string, len(m.Videos))
	for i, v := range m.Videos {
		hashes[i] = RequestFor(v).Hash()
	}
	return manifestHash(m, hashes)
}

// manifestHash is ManifestHash with the input hashes already computed;
// hashes[i] belongs to m.Videos[i].
func manifestHash(m *config.Manifest, hashes []string) string {
	hm := hashedManifest{
		Videos:  make([]hashedVideo, len(m.Videos)),
		API:     m.API,
		Pricing: EffectivePricing(m),
	}
	for i, v := range m.Videos {
		hm.Videos[i] = hashedVideo{v.Address, hashes[i], v.Output}
	}
	// config sorts Videos already; sorting again keeps the hash independent
	// of that promise.
	slices.SortFunc(hm.Videos, func(a, b hashedVideo) int { return strings.Compare(a.Address, b.Address) })
	if m.Budget != nil {
		hm.MaxCredits = m.Budget.MaxCost
	}
	return sumJSON(hm)
}

// stateDigest is the sha256 of what the plan read from the state: each
// entry's address, status, input hash, task and file checksum.
func stateDigest(st *state.State) string {
	type digestEntry struct {
		Address, Status, InputHash, TaskID, SHA256 string
	}
	entries := make([]digestEntry, 0, len(st.Entries))
	for addr, e := range st.Entries {
		entries = append(entries, digestEntry{addr, string(e.Status), e.InputHash, e.TaskID, e.SHA256})
	}
	slices.SortFunc(entries, func(a, b digestEntry) int { return strings.Compare(a.Address, b.Address) })
	return sumJSON(entries)
}

func sumJSON(v any) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		panic(err) // plain structs of strings and numbers always encode
	}
	return hex.EncodeToString(h.Sum(nil))
}
