package sim

import (
	"net/http"
	"time"
)

// pollTask counts a poll of task id and finds it, or the error (or hang) the
// poll meets: a server fault, then 404 TASK_NOT_FOUND for a task unknown,
// lost, or ended longer than the retention ago. Caller holds s.mu.
func (s *Server) pollTask(id string, now time.Time) (t *task, hangs bool, aerr *apiError) {
	s.counters.Polls.Add(1)
	t = s.tasks[id]
	prompt := ""
	if t != nil {
		prompt = t.req.Prompt
	}
	if s.fires(FaultHang, prompt) {
		return nil, true, nil
	}
	if aerr := s.infraFault(prompt); aerr != nil {
		return nil, false, aerr
	}
	if t == nil || t.lost || (t.expiredAt(now, s.retention) && !s.spec.keepsStatus) {
		return nil, false, taskNotFound(id)
	}
	return t, false, nil
}

func taskNotFound(id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeTaskNotFound, Field: "task_id",
		Message:    "no task " + id,
		Suggestion: "Check the task_id; a task belongs to the account that created it."}
}

// answerPoll answers a poll of id with render's body (status 200), or the
// error or hang pollTask found.
func (s *Server) answerPoll(w http.ResponseWriter, r *http.Request, c call, id string, render func(t *task, now time.Time) (any, *apiError)) {
	s.answerPollStatus(w, r, c, id, func(t *task, now time.Time) (int, any, *apiError) {
		body, aerr := render(t, now)
		return http.StatusOK, body, aerr
	})
}

// answerPollStatus is answerPoll for a service whose poll answers other
// statuses than 200 (fal's 202 for a request still queued or running).
// render runs with s.mu held.
func (s *Server) answerPollStatus(w http.ResponseWriter, r *http.Request, c call, id string, render func(t *task, now time.Time) (int, any, *apiError)) {
	now := s.opts.Now()
	s.mu.Lock()
	t, hangs, aerr := s.pollTask(id, now)
	status, body := 0, any(nil)
	if t != nil {
		status, body, aerr = render(t, now)
	}
	s.mu.Unlock()
	s.answer(w, r, c, hangs, aerr, status, body)
}
