package sim

import (
	"net/http"
	"strings"
)

// ruleState is a Rule and how often it has fired.
type ruleState struct {
	Rule
	fired int
}

// fires decides whether fault f strikes a request about prompt: the first
// matching rule with firings left, else the fault's random rate. Each call
// is one eligible request. Caller holds s.mu.
func (s *Server) fires(f Fault, prompt string) bool {
	for _, r := range s.rules {
		if r.Fault != f || !strings.Contains(prompt, r.PromptContains) {
			continue
		}
		if r.Times > 0 && r.fired >= r.Times {
			continue
		}
		r.fired++
		return true
	}
	rate := s.opts.FaultRates[f]
	return rate > 0 && s.rng.Float64() < rate
}

// infraFault answers the 500 or 503 a create or poll about prompt suffers,
// if any: no code, as a load balancer or a crashed worker would answer.
// Caller holds s.mu.
func (s *Server) infraFault(prompt string) *apiError {
	switch {
	case s.fires(FaultServerError, prompt):
		return &apiError{Status: http.StatusInternalServerError, Message: "internal server error"}
	case s.fires(FaultUnavailable, prompt):
		return &apiError{Status: http.StatusServiceUnavailable, Message: "service temporarily unavailable"}
	case s.fires(FaultOverloaded, prompt):
		return &apiError{Status: statusOverloaded, Message: "the service is overloaded"}
	}
	return nil
}

// taskFaults fixes at create what will go wrong with a new task later: how
// it ends, whether polls lose it, whether its first download is cut short.
// Caller holds s.mu.
func (s *Server) taskFaults(t *task) {
	p := t.req.Prompt
	switch {
	case s.fires(FaultGenerationFailed, p):
		t.failCode = codeGenerationFailed
	case s.fires(FaultTimeout, p):
		t.failCode = codeTimeout
	}
	t.lost = s.fires(FaultLoseTask, p)
	if s.fires(FaultTruncateDownload, p) {
		t.truncate = 1
	}
	if s.fires(FaultHTMLDownload, p) {
		t.htmlPage = 1
	}
	if s.fires(FaultWrongMedia, p) {
		// In turn: another size, a shorter clip, no sound.
		t.wrongMedia = wrongSize + wrongMediaKind(s.wrongMediaSeq%3)
		s.wrongMediaSeq++
	}
	if t.failCode != "" {
		t.failMsg = failMessages[t.failCode]
		if s.opts.EchoKey && t.apiKey != "" {
			t.failMsg += " (request made with key " + t.apiKey + ")"
		}
	}
	t.videoPath = s.spec.videoPath(t.id)
}

// statusOverloaded is Lightricks' 529 overloaded_error.
const statusOverloaded = 529
