package sim

import (
	"net/http"
	"slices"
	"time"
)

// afterCreate is how a create is answered once it has been decided.
type afterCreate int

const (
	answerNormally    afterCreate = iota
	answerHang                    // hang: nothing was committed, the answer never comes
	answerDrop                    // drop_after_create / reset_after_commit: committed, connection closed
	answerUnreadable              // unreadable_answer: committed, the 2xx body cannot be read
	answerGatewayPage             // gateway_timeout: committed, a gateway's 504 page
	answerRedirect                // redirect_create: committed, a 307 to the same path
)

// renderFunc turns a committed (or replayed) task into the provider's create
// answer. It runs under s.mu and may set response headers.
type renderFunc func(w http.ResponseWriter, t *task, now time.Time, replayed bool) (status int, body any)

// answerCreate commits req for the caller and answers it: the provider's
// render, or the provider's error, or a fault.
func (s *Server) answerCreate(w http.ResponseWriter, r *http.Request, c call, req *createRequest, render renderFunc) {
	now := s.opts.Now()
	s.mu.Lock()
	t, replayed, after, aerr := s.commit(req, c.key, r.Header.Get("Idempotency-Key"), now)
	var (
		status  int
		body    any
		variant string
	)
	if aerr == nil && after != answerHang {
		status, body = render(w, t, now, replayed)
		if after == answerUnreadable {
			variant = s.nextUnreadable()
		}
	}
	s.mu.Unlock()

	switch {
	case after == answerHang:
		hang(r)
	case aerr != nil:
		s.fail(w, c, aerr)
	case after == answerDrop:
		dropConnection(w)
	case after == answerUnreadable:
		writeUnreadable(w, status, body, variant)
	case after == answerGatewayPage:
		writeGatewayTimeout(w)
	case after == answerRedirect:
		w.Header().Set("Location", r.URL.Path+"?redirected=1")
		w.WriteHeader(http.StatusTemporaryRedirect)
	default:
		writeJSON(w, status, body)
	}
}

// commit does the bookkeeping of a create. The order of the checks: hang,
// a server fault, image host, Idempotency-Key replay (no charge, no quota;
// only where the provider honours the key), content policy, plan quota,
// concurrency limit, credits; then the task is committed, and only then may
// the answer be lost. Caller holds s.mu.
func (s *Server) commit(c *createRequest, apiKey, idemKey string, now time.Time) (t *task, replayed bool, after afterCreate, aerr *apiError) {
	if s.fires(FaultHang, c.Prompt) {
		return nil, false, answerHang, nil
	}
	if aerr := s.infraFault(c.Prompt); aerr != nil {
		return nil, false, answerNormally, aerr
	}
	if aerr := s.imageHostError(c); aerr != nil {
		return nil, false, answerNormally, aerr
	}
	useIdemKey := idemKey != "" && s.spec.honoursIdempotencyKey && !s.opts.IgnoreIdempotencyKey
	scopedKey := apiKey + "\x00" + idemKey
	if useIdemKey {
		if prev := s.byIdempotencyKey[scopedKey]; prev != nil && !prev.lost {
			s.counters.Replays.Add(1)
			return prev, true, answerNormally, nil
		}
	}
	if s.fires(FaultContentPolicy, c.Prompt) {
		return nil, false, answerNormally, badRequest(codeContentPolicy, "prompt", "the prompt was refused by the content policy",
			"Review the content guidelines and rephrase the prompt.")
	}
	if s.fires(FaultDailyQuota, c.Prompt) {
		return nil, false, answerNormally, dailyQuota()
	}
	if s.opts.PlanQuota > 0 && s.created >= s.opts.PlanQuota {
		return nil, false, answerNormally, planLimit(s.opts.PlanQuota)
	}
	generating := s.generatingAt(now)
	queueFrom := time.Time{} // past the limit at a provider that queues: when a slot frees
	if s.maxConcurrent > 0 && generating >= s.maxConcurrent && s.spec.queuesPastLimit {
		queueFrom = s.slotFreesAt(generating)
	} else if s.maxConcurrent > 0 && generating >= s.maxConcurrent {
		s.counters.ConcurrencyLimited.Add(1)
		return nil, false, answerNormally, concurrencyLimited(s.maxConcurrent)
	}
	if s.creditsLimited && c.cost > s.balance {
		return nil, false, answerNormally, &apiError{Status: http.StatusPaymentRequired, Code: codeInsufficient,
			Message:    s.spec.insufficient(c.cost, s.balance),
			Suggestion: "Buy more credits or upgrade the plan."}
	}

	s.seq++
	t = &task{id: newID("task_"), seq: s.seq, req: c, bodyKey: c.bodyKey(), credits: c.cost, created: now, apiKey: apiKey}
	s.opts.schedule(t)
	if wait := queueFrom.Sub(t.startedAt); wait > 0 {
		t.startedAt, t.endsAt = t.startedAt.Add(wait), t.endsAt.Add(wait)
	}
	s.taskFaults(t)
	s.tasks[t.id] = t
	if useIdemKey {
		s.byIdempotencyKey[scopedKey] = t
	}
	s.noteBody(t, now)
	s.byPrompt[c.Prompt]++
	s.created++
	s.spent += c.cost
	if s.creditsLimited {
		s.balance -= c.cost
	}
	s.active = append(s.active, t)
	s.counters.raiseMaxGenerating(int64(generating + 1))
	s.counters.Creates.Add(1)
	switch {
	case s.fires(FaultDropAfterCreate, c.Prompt) || s.fires(FaultResetAfterCommit, c.Prompt):
		after = answerDrop
	case s.fires(FaultUnreadableAnswer, c.Prompt):
		after = answerUnreadable
	case s.fires(FaultGatewayTimeout, c.Prompt):
		after = answerGatewayPage
	case s.fires(FaultRedirectCreate, c.Prompt):
		after = answerRedirect
	case s.fires(FaultHangAfterCommit, c.Prompt):
		after = answerHang
	}
	return t, false, after, nil
}

func planLimit(quota int) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: codePlanLimit,
		Message:    "the plan's limit of " + itoa(quota) + " generations in this billing cycle is reached",
		Suggestion: "Wait for the billing cycle to reset or upgrade the plan."}
}

// dailyQuota is the 429 of an account whose quota for the day is spent: a
// wait no client should sit out, which apply must not send every create into.
func dailyQuota() *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: codeRateLimited, RetryAfter: 86400,
		Message:    "the daily quota of generations is used up; it resets in 24 hours",
		Suggestion: "Wait for the quota to reset, or raise it in the dashboard."}
}

// concurrencyLimited is the 429 for one generation too many. Retry-After 1:
// the sim cannot know when a slot frees up any better than the client.
func concurrencyLimited(limit int) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: codeRateLimited, Type: typeConcurrencyLimit,
		RetryAfter: 1,
		Message:    "too many generations at once: the limit is " + itoa(limit) + " per account",
		Suggestion: "Wait for a generation to finish before submitting another."}
}

// slotFreesAt is when, with generating tasks alive, one more may start
// under the limit: the end of the (generating-limit+1)-th task to end.
// Caller holds s.mu.
func (s *Server) slotFreesAt(generating int) time.Time {
	ends := make([]time.Time, 0, len(s.active))
	for _, t := range s.active {
		ends = append(ends, t.endsAt)
	}
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	return ends[generating-s.maxConcurrent]
}

// generatingAt is how many tasks are generating at now (submitted, not yet
// completed or failed, by the clock, polled or not); it forgets the tasks
// that have ended. Caller holds s.mu.
func (s *Server) generatingAt(now time.Time) int {
	live := s.active[:0]
	for _, t := range s.active {
		if now.Before(t.endsAt) {
			live = append(live, t)
		}
	}
	clear(s.active[len(live):])
	s.active = live
	return len(live)
}

// bodyTasks are the tasks created for one normalized body. A task that will
// complete stays alive for good, so one flag stands for all of them; only the
// tasks that will fail or are lost need their times checked.
type bodyTasks struct {
	completes bool
	mortal    []*task
}

// noteBody records t under its body, counting a repeat when the body was
// created before and a duplicate when an earlier task for it is still alive.
// Caller holds s.mu.
func (s *Server) noteBody(t *task, now time.Time) {
	b := s.byBody[t.bodyKey]
	if b == nil {
		b = &bodyTasks{}
		s.byBody[t.bodyKey] = b
	} else {
		s.counters.RepeatedCreates.Add(1)
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

// writeGatewayTimeout is what a load balancer answers when the service
// behind it was too slow: its own HTML page, nothing of the service's.
func writeGatewayTimeout(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusGatewayTimeout)
	_, _ = w.Write([]byte("<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"))
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
