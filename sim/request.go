package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxBodyBytes caps a create body; a 2000-character prompt is at most 8 KB.
const maxBodyBytes = 1 << 20

// createRequest is a validated create body with the defaults filled in.
type createRequest struct {
	Mode        string `json:"-"` // "text-to-video" or "image-to-video"
	Prompt      string `json:"prompt"`
	Duration    int64  `json:"duration"`
	Resolution  string `json:"resolution"`
	ImageURL    string `json:"image_url,omitempty"`
	AspectRatio string `json:"aspect_ratio,omitempty"`
	Seed        *int64 `json:"seed,omitempty"`
	WebhookURL  string `json:"webhook_url,omitempty"`

	cost       float64         // the price in the provider's unit
	model      string          // the model, where the path names it (replicate)
	input      json.RawMessage // the input as sent, where a provider echoes it (replicate)
	key        string          // the provider's normalized body, when not normalized()
	imageField string          // the body field holding ImageURL, when not image_url
	// What the video file is made as, where the provider's body says more
	// than a resolution name: the size, the frame rate, a sound track.
	width, height int
	fps           int
	audio         bool
}

// bodyKey is what two creates of the same video have in common.
func (c *createRequest) bodyKey() string {
	if c.key != "" {
		return c.key
	}
	return c.normalized()
}

// normalized is the request as canonical JSON, prefixed by its endpoint: two
// creates with byte-equal normalized bodies ask for the same video.
func (c *createRequest) normalized() string {
	b, _ := json.Marshal(c)
	return c.Mode + " " + string(b)
}

// fieldsByMode are the body fields each endpoint accepts.
var fieldsByMode = map[string]map[string]bool{
	"text-to-video":  {"prompt": true, "duration": true, "resolution": true, "aspect_ratio": true, "seed": true, "webhook_url": true},
	"image-to-video": {"prompt": true, "duration": true, "resolution": true, "image_url": true, "seed": true, "webhook_url": true},
}

func badRequest(code, field, msg, suggestion string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Field: field, Message: msg, Suggestion: suggestion}
}

// decodeCreate reads and validates a create body for mode. It answers the
// API's first objection, with the code and details.field the documentation
// gives for it.
func decodeCreate(r *http.Request, mode string) (*createRequest, *apiError) {
	raw, aerr := readObject(r, maxBodyBytes, codeInvalidRequest)
	if aerr != nil {
		return nil, aerr
	}
	if name := firstUnknown(raw, fieldsByMode[mode]); name != "" {
		msg := fmt.Sprintf("unknown field %q for /v1/%s", name, mode)
		sugg := "Remove the field."
		if name == "aspect_ratio" {
			sugg = "aspect_ratio is accepted by text-to-video only; the image sets the frame."
		}
		return nil, badRequest(codeInvalidRequest, name, msg, sugg)
	}

	c := &createRequest{Mode: mode, Duration: DefaultDuration, Resolution: DefaultResolution}
	present := func(name string) bool { return present(raw, name) }

	// prompt
	if !present("prompt") || json.Unmarshal(raw["prompt"], &c.Prompt) != nil {
		return nil, badRequest(codeInvalidPrompt, "prompt", "prompt is required and must be a string",
			"Send a prompt of 1 to 2000 characters.")
	}
	if strings.TrimSpace(c.Prompt) == "" {
		return nil, badRequest(codeInvalidPrompt, "prompt", "prompt is empty", "Send a prompt of 1 to 2000 characters.")
	}
	if n := utf8.RuneCountInString(c.Prompt); n > 2000 {
		return nil, badRequest(codeInvalidPrompt, "prompt", fmt.Sprintf("prompt is %d characters long; the limit is 2000", n),
			"Shorten the prompt to at most 2000 characters.")
	}

	// duration: an integer literal; 7.5 and "10" are refused.
	if present("duration") {
		i, ok := wholeNumber(raw["duration"])
		if !ok {
			return nil, badRequest(codeInvalidDuration, "duration", "duration must be a whole number of seconds, got "+string(raw["duration"]),
				"Set duration to an integer from 6 to 20.")
		}
		c.Duration = i
	}
	if c.Duration < 6 || c.Duration > 20 {
		return nil, badRequest(codeInvalidDuration, "duration", fmt.Sprintf("duration %d is outside 6–20 seconds", c.Duration),
			"Set duration to an integer from 6 to 20.")
	}

	// resolution
	if present("resolution") {
		if json.Unmarshal(raw["resolution"], &c.Resolution) != nil {
			c.Resolution = string(raw["resolution"])
		}
	}
	if _, ok := CreditsPerSecond[c.Resolution]; !ok {
		return nil, badRequest(codeInvalidRes, "resolution", fmt.Sprintf("resolution %q is not supported", c.Resolution),
			`Use "1080p", "1440p" or "4K".`)
	}

	c.cost = CreditsPerSecond[c.Resolution] * float64(c.Duration)

	// aspect_ratio (text-to-video only; the field check above refused it elsewhere)
	if present("aspect_ratio") {
		if json.Unmarshal(raw["aspect_ratio"], &c.AspectRatio) != nil || (c.AspectRatio != "16:9" && c.AspectRatio != "9:16") {
			return nil, badRequest(codeInvalidRequest, "aspect_ratio", "aspect_ratio must be \"16:9\" or \"9:16\", got "+string(raw["aspect_ratio"]),
				`Use "16:9" or "9:16".`)
		}
	}

	// image_url (image-to-video, required there)
	if mode == "image-to-video" {
		if !present("image_url") || json.Unmarshal(raw["image_url"], &c.ImageURL) != nil || !isHTTPURL(c.ImageURL) {
			return nil, badRequest(codeInvalidImageURL, "image_url", "image_url is required and must be an absolute http(s) URL",
				"Give a publicly reachable http(s) URL of the image.")
		}
	}

	if present("seed") {
		var seed int64
		if json.Unmarshal(raw["seed"], &seed) != nil {
			return nil, badRequest(codeInvalidRequest, "seed", "seed must be an integer, got "+string(raw["seed"]), "Use a whole number.")
		}
		c.Seed = &seed
	}
	if present("webhook_url") {
		if json.Unmarshal(raw["webhook_url"], &c.WebhookURL) != nil || !isHTTPURL(c.WebhookURL) {
			return nil, badRequest(codeInvalidRequest, "webhook_url", "webhook_url must be an absolute http(s) URL",
				"Give an absolute http(s) URL, or leave webhook_url out.")
		}
	}
	return c, nil
}

// readObject reads a body of at most limit bytes holding one JSON object.
// code is the v1 code of its objections.
func readObject(r *http.Request, limit int64, code string) (map[string]json.RawMessage, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: code,
				Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
		}
		return nil, badRequest(code, "", "could not read the request body: "+err.Error(), "")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return nil, badRequest(code, "", "the request body must be one JSON object",
			`Send a JSON object such as {"prompt": "...", "duration": 6, "resolution": "1080p"}.`)
	}
	return raw, nil
}

// firstUnknown is the alphabetically first field of raw not in allowed.
func firstUnknown(raw map[string]json.RawMessage, allowed map[string]bool) string {
	var unknown []string
	for name := range raw {
		if !allowed[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	sort.Strings(unknown)
	return unknown[0]
}

// present: the field is there and not null.
func present(raw map[string]json.RawMessage, name string) bool {
	v, ok := raw[name]
	return ok && string(v) != "null"
}

// invalidField is a 422 refusal of one input field, as fal and replicate
// answer what their schema rejects; each one's writeError gives it that
// service's shape.
func invalidField(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: codeInvalidRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// fpsAndDuration reads the fps (default 25) and duration (whole seconds,
// default 6) of a fal or replicate input. LTX-2 takes 25 and 50 fps only;
// the later models also 24 and 48.
func fpsAndDuration(raw map[string]json.RawMessage, ltx2 bool) (fps, d int64, aerr *apiError) {
	allowedFPS := []int64{24, 25, 48, 50}
	if ltx2 {
		allowedFPS = []int64{25, 50}
	}
	fps, ok := wholeField(raw, "fps", 25, allowedFPS)
	if !ok {
		return 0, 0, invalidField("fps", "fps must be one of %v", allowedFPS)
	}
	d, ok = wholeField(raw, "duration", 6, nil)
	if !ok {
		return 0, 0, invalidField("duration", "duration must be whole seconds")
	}
	return fps, d, nil
}

// wholeNumber reads an integer literal; 7.5, 10.0 and "10" are refused.
// wholeField is raw[name] as a whole number, def when absent; ok is false
// when it is not whole or, with allowed, not one of them.
func wholeField(raw map[string]json.RawMessage, name string, def int64, allowed []int64) (v int64, ok bool) {
	if !present(raw, name) {
		return def, true
	}
	v, ok = wholeNumber(raw[name])
	return v, ok && (allowed == nil || slices.Contains(allowed, v))
}

func wholeNumber(v json.RawMessage) (int64, bool) {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if d.Decode(&x) != nil {
		return 0, false
	}
	n, isNum := x.(json.Number)
	i, err := n.Int64()
	return i, isNum && err == nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// imageHostError answers INVALID_IMAGE_URL or IMAGE_TOO_LARGE for an image
// on a host the simulator was told about. Caller holds s.mu.
func (s *Server) imageHostError(c *createRequest) *apiError {
	if c.ImageURL == "" {
		return nil
	}
	u, err := url.Parse(c.ImageURL)
	if err != nil {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	field := c.imageField
	if field == "" {
		field = "image_url"
	}
	switch {
	case s.unreachableHosts[host]:
		return badRequest(codeInvalidImageURL, field, "the image at "+c.ImageURL+" could not be fetched",
			"Make sure the URL is publicly reachable and points to an image file.")
	case s.largeHosts[host]:
		return badRequest(codeImageTooLarge, field, "the image at "+c.ImageURL+" is larger than 10 MB",
			"Compress or resize the image to under 10 MB.")
	}
	return nil
}
