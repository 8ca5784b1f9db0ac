package ltx

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Mode is image-to-video when an image is given, else text-to-video.
func (r CreateRequest) Mode() Mode {
	if r.ImageURL != "" || r.ImageFile != "" {
		return ImageToVideo
	}
	return TextToVideo
}

// canonical is the request's canonical JSON: the fields in the struct's
// order, empty optional fields left out, and no aspect_ratio for
// image-to-video (an image has its own shape; a provider that speaks sizes
// gets the portrait size in Resolution from the planner). Adding an optional
// field later keeps the bytes, and so every recorded Hash, unchanged.
func (r CreateRequest) canonical() ([]byte, error) {
	if r.Mode() == ImageToVideo {
		r.AspectRatio = ""
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("ltx: encoding the create request: %w", err)
	}
	return b, nil
}

// Hash is the hex sha256 of the canonical JSON (for ltx2api-v1, the exact
// bytes Create sends), so that the planner sees a change whenever the
// service would be asked something else.
func (r CreateRequest) Hash() string {
	b, err := r.canonical()
	if err != nil {
		// Marshalling strings and ints cannot fail; keep Hash total anyway.
		b = []byte(fmt.Sprintf("%#v", r))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// IdempotencyKey derives the Idempotency-Key of a create from the state's
// lineage, the video's address and input hash, and the generation: 0 for the
// first task, one more after each GENERATION_FAILED, so that a new task is
// really created. The lineage keeps two states (two checkouts, or a state
// deleted and begun again) from getting each other's tasks back. It is
// deterministic (a crashed run resends the same key), holds no secret, and is
// at most 64 characters of [a-z0-9-], whatever characters the address has.
func IdempotencyKey(lineage, address, inputHash string, generation int) string {
	sum := sha256.Sum256([]byte(lineage + "\x00" + address + "\x00" + inputHash))
	return fmt.Sprintf("ltxform-%x-%d", sum[:16], generation)
}
