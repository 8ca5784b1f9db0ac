package sim

import (
	"fmt"
	"net/http"
	"time"
)

// serveCreate answers POST /v1/{mode}. The order of the checks: body and
// validation, a server fault, image host, Idempotency-Key replay (no charge,
// no quota), content policy, plan quota, credits; then the task is
// committed, and only then may the connection be dropped.
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request, requestID, apiKey, mode string) {
	c, aerr := decodeCreate(r, mode)
	if aerr != nil {
		aerr.send(w, requestID)
		return
	}
	idemKey := r.Header.Get("Idempotency-Key")
	now := s.opts.Now()

	s.mu.Lock()
	t, replayed, drop, aerr := s.create(c, apiKey, idemKey, now)
	var view taskView
	if t != nil {
		view = t.view(now, baseURL(r), requestID)
	}
	s.mu.Unlock()

	switch {
	case aerr != nil:
		aerr.send(w, requestID)
	case drop:
		dropConnection(w)
	default:
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		s.writeTask(w, http.StatusCreated, view)
	}
}

// create does the bookkeeping of serveCreate. Caller holds s.mu.
func (s *Server) create(c *createRequest, apiKey, idemKey string, now time.Time) (t *task, replayed, drop bool, aerr *apiError) {
	if aerr := s.infraFault(c.Prompt); aerr != nil {
		return nil, false, false, aerr
	}
	if aerr := s.imageHostError(c); aerr != nil {
		return nil, false, false, aerr
	}
	scopedKey := apiKey + "\x00" + idemKey
	if idemKey != "" {
		if prev := s.byIdempotencyKey[scopedKey]; prev != nil && !prev.lost {
			s.counters.Replays.Add(1)
			return prev, true, false, nil
		}
	}
	if s.fires(FaultContentPolicy, c.Prompt) {
		return nil, false, false, badRequest(codeContentPolicy, "prompt", "the prompt was refused by the content policy",
			"Review the content guidelines and rephrase the prompt.")
	}
	if s.opts.PlanQuota > 0 && s.created >= s.opts.PlanQuota {
		return nil, false, false, &apiError{Status: http.StatusForbidden, Code: codePlanLimit,
			Message:    fmt.Sprintf("the plan's limit of %d generations in this billing cycle is reached", s.opts.PlanQuota),
			Suggestion: "Wait for the billing cycle to reset or upgrade the plan."}
	}
	cost := CreditsPerSecond[c.Resolution] * float64(c.Duration)
	if s.creditsLimited && cost > s.balance {
		return nil, false, false, &apiError{Status: http.StatusPaymentRequired, Code: codeInsufficient,
			Message:    fmt.Sprintf("this video costs %g credits; the balance is %g", cost, s.balance),
			Suggestion: "Buy more credits or upgrade the plan."}
	}

	s.seq++
	t = &task{id: newID("task_"), seq: s.seq, req: c, bodyKey: c.normalized(), credits: cost, created: now}
	s.opts.schedule(t)
	s.taskFaults(t)
	s.tasks[t.id] = t
	if idemKey != "" {
		s.byIdempotencyKey[scopedKey] = t
	}
	s.noteBody(t, now)
	s.created++
	if s.creditsLimited {
		s.balance -= cost
	}
	s.counters.Creates.Add(1)
	return t, false, s.fires(FaultDropAfterCreate, c.Prompt), nil
}

// bodyTasks are the tasks created for one normalized body. A task that will
// complete stays alive for good, so one flag stands for all of them; only the
// tasks that will fail or are lost need their times checked.
type bodyTasks struct {
	completes bool
	mortal    []*task
}

// noteBody records t under its body, counting a duplicate when an earlier
// task for the same body is still alive. Caller holds s.mu.
func (s *Server) noteBody(t *task, now time.Time) {
	b := s.byBody[t.bodyKey]
	if b == nil {
		b = &bodyTasks{}
		s.byBody[t.bodyKey] = b
	}
	live := b.mortal[:0]
	for _, prev := range b.mortal {
		if prev.aliveAt(now) {
			live = append(live, prev)
		}
	}
	b.mortal = live
	if b.completes || len(live) > 0 {
		s.counters.DuplicateCreates.Add(1)
	}
	switch {
	case t.failCode == "" && !t.lost:
		b.completes = true
	case t.aliveAt(now):
		b.mortal = append(b.mortal, t)
	}
}

// dropConnection closes the connection without an answer, as a crashed
// proxy would after the server committed the create.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2: net/http resets the stream
}
