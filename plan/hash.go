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
	Videos  []hashedVideo      `json:"videos"`
	API     config.API         `json:"api"`
	MaxCost float64            `json:"max_credits"`
	Pricing map[string]float64 `json:"pricing"` // the manifest's; encoding/json sorts map keys
}

// ManifestHash is the sha256 of the evaluated manifest: each video's address,
// input hash and output in address order, and the settings.
func ManifestHash(m *config.Manifest) string {
	p, _ := ProviderOf(m)
	videos := withAPIDefaults(m, p)
	hashes := make([]string, len(videos))
	for i, v := range videos {
		hashes[i] = requestFor(v, p).Hash()
	}
	return manifestHash(m, videos, hashes)
}

// manifestHash is ManifestHash with the input hashes already computed;
// hashes[i] belongs to videos[i].
func manifestHash(m *config.Manifest, videos []*config.Video, hashes []string) string {
	hm := hashedManifest{
		Videos:  make([]hashedVideo, len(videos)),
		API:     m.API,
		Pricing: m.Pricing,
	}
	for i, v := range videos {
		hm.Videos[i] = hashedVideo{v.Address, hashes[i], v.Output}
	}
	// config sorts Videos already; sorting again keeps the hash independent
	// of that promise.
	slices.SortFunc(hm.Videos, func(a, b hashedVideo) int { return strings.Compare(a.Address, b.Address) })
	if m.Budget != nil {
		hm.MaxCost = m.Budget.MaxCost
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
