package sim

import (
	"net/http"
	"strings"
	"testing"
)

func TestValidation(t *testing.T) {
	opts := Options{UnreachableImageHosts: []string{"down.example"}, LargeImageHosts: []string{"Huge.example"}}
	long := strings.Repeat("é", 2000) // 4000 bytes, 2000 characters
	tests := []struct {
		name      string
		endpoint  string
		body      string
		wantCode  string // "" = 201
		wantField string
	}{
		{"minimal body takes the defaults", "text-to-video", `{"prompt":"a cat"}`, "", ""},
		{"2000 characters of é", "text-to-video", `{"prompt":"` + long + `","duration":6}`, "", ""},
		{"2001 characters", "text-to-video", `{"prompt":"` + long + `é"}`, "INVALID_PROMPT", "prompt"},
		{"missing prompt", "text-to-video", `{"duration":6}`, "INVALID_PROMPT", "prompt"},
		{"empty prompt", "text-to-video", `{"prompt":""}`, "INVALID_PROMPT", "prompt"},
		{"blank prompt", "text-to-video", `{"prompt":"  \n"}`, "INVALID_PROMPT", "prompt"},
		{"prompt not a string", "text-to-video", `{"prompt":42}`, "INVALID_PROMPT", "prompt"},
		{"duration 6", "text-to-video", `{"prompt":"a","duration":6}`, "", ""},
		{"duration 20", "text-to-video", `{"prompt":"a","duration":20}`, "", ""},
		{"duration 5", "text-to-video", `{"prompt":"a","duration":5}`, "INVALID_DURATION", "duration"},
		{"duration 25", "text-to-video", `{"prompt":"a","duration":25}`, "INVALID_DURATION", "duration"},
		{"duration 7.5", "text-to-video", `{"prompt":"a","duration":7.5}`, "INVALID_DURATION", "duration"},
		{"duration 10.0", "text-to-video", `{"prompt":"a","duration":10.0}`, "INVALID_DURATION", "duration"},
		{"duration as string", "text-to-video", `{"prompt":"a","duration":"10"}`, "INVALID_DURATION", "duration"},
		{"resolution 1440p", "text-to-video", `{"prompt":"a","resolution":"1440p"}`, "", ""},
		{"resolution 4K", "text-to-video", `{"prompt":"a","resolution":"4K"}`, "", ""},
		{"resolution 4k lower case", "text-to-video", `{"prompt":"a","resolution":"4k"}`, "INVALID_RESOLUTION", "resolution"},
		{"resolution 720p", "text-to-video", `{"prompt":"a","resolution":"720p"}`, "INVALID_RESOLUTION", "resolution"},
		{"resolution not a string", "text-to-video", `{"prompt":"a","resolution":1080}`, "INVALID_RESOLUTION", "resolution"},
		{"aspect 9:16", "text-to-video", `{"prompt":"a","aspect_ratio":"9:16"}`, "", ""},
		{"aspect 4:3", "text-to-video", `{"prompt":"a","aspect_ratio":"4:3"}`, "INVALID_REQUEST", "aspect_ratio"},
		{"aspect on image-to-video", "image-to-video", `{"prompt":"a","image_url":"https://cdn.example/a.png","aspect_ratio":"16:9"}`, "INVALID_REQUEST", "aspect_ratio"},
		{"image-to-video", "image-to-video", `{"prompt":"a","image_url":"https://cdn.example/a.png"}`, "", ""},
		{"image_url missing", "image-to-video", `{"prompt":"a"}`, "INVALID_IMAGE_URL", "image_url"},
		{"image_url relative", "image-to-video", `{"prompt":"a","image_url":"/a.png"}`, "INVALID_IMAGE_URL", "image_url"},
		{"image_url ftp", "image-to-video", `{"prompt":"a","image_url":"ftp://cdn.example/a.png"}`, "INVALID_IMAGE_URL", "image_url"},
		{"image host unreachable", "image-to-video", `{"prompt":"a","image_url":"https://down.example/a.png"}`, "INVALID_IMAGE_URL", "image_url"},
		{"image too large", "image-to-video", `{"prompt":"a","image_url":"http://huge.example:8080/a.png"}`, "IMAGE_TOO_LARGE", "image_url"},
		{"image_url on text-to-video", "text-to-video", `{"prompt":"a","image_url":"https://cdn.example/a.png"}`, "INVALID_REQUEST", "image_url"},
		{"unknown field", "text-to-video", `{"prompt":"a","fps":24}`, "INVALID_REQUEST", "fps"},
		{"seed", "text-to-video", `{"prompt":"a","seed":42}`, "", ""},
		{"seed not an integer", "text-to-video", `{"prompt":"a","seed":"x"}`, "INVALID_REQUEST", "seed"},
		{"webhook", "text-to-video", `{"prompt":"a","webhook_url":"https://hooks.example/x"}`, "", ""},
		{"webhook relative", "text-to-video", `{"prompt":"a","webhook_url":"x"}`, "INVALID_REQUEST", "webhook_url"},
		{"null fields are absent", "text-to-video", `{"prompt":"a","duration":null,"resolution":null}`, "", ""},
		{"not JSON", "text-to-video", `prompt=a`, "INVALID_REQUEST", ""},
		{"empty body", "text-to-video", ``, "INVALID_REQUEST", ""},
		{"array", "text-to-video", `[{"prompt":"a"}]`, "INVALID_REQUEST", ""},
		{"two objects", "text-to-video", `{"prompt":"a"}{"prompt":"b"}`, "INVALID_REQUEST", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, opts)
			r := h.do(http.MethodPost, "/v1/"+tt.endpoint, tt.body)
			if tt.wantCode == "" {
				if r.Status != http.StatusCreated || r.str("task_id") == "" {
					t.Fatalf("got %d %s, want 201 with a task_id", r.Status, r.Raw)
				}
				return
			}
			if r.Status != http.StatusBadRequest || r.code() != tt.wantCode || r.field() != tt.wantField {
				t.Fatalf("got %d %q field %q, want 400 %q field %q: %s", r.Status, r.code(), r.field(), tt.wantCode, tt.wantField, r.Raw)
			}
			if r.str("error", "message") == "" {
				t.Errorf("error without a message: %s", r.Raw)
			}
			if h.counters().Creates != 0 {
				t.Errorf("a refused request created a task")
			}
		})
	}
}

func TestOversizedBody(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.create(`{"prompt":"` + strings.Repeat("a", maxBodyBytes) + `"}`)
	if r.Status != http.StatusRequestEntityTooLarge || r.code() != "INVALID_REQUEST" {
		t.Fatalf("got %d %s", r.Status, r.Raw)
	}
}
