package sim

import "net/http"

// servePoll answers GET /v1/tasks/{id}.
func (s *Server) servePoll(w http.ResponseWriter, r *http.Request, requestID, id string) {
	s.counters.Polls.Add(1)
	now := s.opts.Now()

	s.mu.Lock()
	t := s.tasks[id]
	prompt := ""
	if t != nil {
		prompt = t.req.Prompt
	}
	aerr := s.infraFault(prompt)
	if aerr == nil && (t == nil || t.lost) {
		aerr = &apiError{Status: http.StatusNotFound, Code: codeTaskNotFound, Field: "task_id",
			Message:    "no task " + id,
			Suggestion: "Check the task_id; a task belongs to the account that created it."}
	}
	var view taskView
	if aerr == nil {
		view = t.view(now, baseURL(r), requestID)
	}
	s.mu.Unlock()

	if aerr != nil {
		aerr.send(w, requestID)
		return
	}
	s.writeTask(w, http.StatusOK, view)
}
