package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The forms of an unreadable answer (Options.UnreadableAnswer).
const (
	UnreadableHTML      = "html"      // 2xx text/html: a proxy's error page
	UnreadableEmpty     = "empty"     // 2xx application/json with no body
	UnreadableTruncated = "truncated" // 2xx application/json: the first half of the JSON
	UnreadableHuge      = "huge"      // 2xx application/json: valid JSON over 1 MB
)

// UnreadableAnswers lists the forms, in the order the rotation uses them.
var UnreadableAnswers = []string{UnreadableHTML, UnreadableEmpty, UnreadableTruncated, UnreadableHuge}

// hugeAnswerBytes makes the huge form larger than any sane client limit.
const hugeAnswerBytes = 1<<20 + 1024

// nextUnreadable is the form of the next unreadable answer: the knob, or the
// next one of the rotation. Caller holds s.mu.
func (s *Server) nextUnreadable() string {
	if s.opts.UnreadableAnswer != "" {
		return s.opts.UnreadableAnswer
	}
	v := UnreadableAnswers[s.unreadableSeq%len(UnreadableAnswers)]
	s.unreadableSeq++
	return v
}

// writeUnreadable answers status with body spoiled as variant says.
func writeUnreadable(w http.ResponseWriter, status int, body any, variant string) {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	h := w.Header()
	switch variant {
	case UnreadableHTML:
		b = []byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
			"<body><h1>Bad Gateway</h1><p>The upstream answered in an unexpected way.</p></body></html>\n")
		h.Set("Content-Type", "text/html; charset=utf-8")
	case UnreadableEmpty:
		b = nil
		h.Set("Content-Type", "application/json")
	case UnreadableTruncated:
		b = b[:len(b)/2]
		h.Set("Content-Type", "application/json")
	default: // huge: the real answer, padded by a field no client knows
		var obj map[string]any
		_ = json.Unmarshal(b, &obj)
		obj["padding"] = strings.Repeat("x", hugeAnswerBytes)
		b, _ = json.Marshal(obj)
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ValidUnreadableAnswer reports whether v is "" (rotate) or one of UnreadableAnswers.
func ValidUnreadableAnswer(v string) bool {
	if v == "" {
		return true
	}
	for _, known := range UnreadableAnswers {
		if v == known {
			return true
		}
	}
	return false
}
