package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzCreateBody: whatever the body, a create answers 201 with a task or a
// 4xx in the documented error shape with a code, never a panic or a 5xx.
func FuzzCreateBody(f *testing.F) {
	for _, seed := range []string{
		`{"prompt":"a"}`, `{"prompt":"a","duration":7.5}`, `{"prompt":"a","duration":"10"}`,
		`{"prompt":"a","duration":99999999999999999999}`, `{"prompt":"é","resolution":"4K","seed":-1}`,
		`{"prompt":"a","image_url":"http://[::1"}`, `[]`, `null`, ``, `{"prompt":null}`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	s := New(Options{Keys: []string{testKey}})
	f.Fuzz(func(t *testing.T, body string, image bool) {
		path := "/v1/text-to-video"
		if image {
			path = "/v1/image-to-video"
		}
		rec := serve(s, http.MethodPost, path, body)
		var got struct {
			TaskID string `json:"task_id"`
			Error  struct {
				Code string `json:"code"`
			} `json:"error"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || !strings.HasPrefix(got.RequestID, "req_") {
			t.Fatalf("%d %q: not a JSON answer with a request_id", rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusCreated && got.TaskID != "":
		case rec.Code >= 400 && rec.Code < 500 && got.Error.Code != "":
		default:
			t.Fatalf("body %q: answered %d %s", body, rec.Code, rec.Body)
		}
	})
}
