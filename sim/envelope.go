package sim

import "net/http"

// envelopeBody is a task in the other deployment's wrapping.
type envelopeBody struct {
	Code      int          `json:"code"`
	Message   string       `json:"message"`
	Data      envelopeTask `json:"data"`
	RequestID string       `json:"request_id"`
}

type envelopeTask struct {
	TaskID          string   `json:"task_id"`
	Status          string   `json:"status"`
	Progress        *int     `json:"progress,omitempty"`
	Response        []string `json:"response"`
	ConsumedCredits float64  `json:"consumed_credits"`
	ErrorMessage    string   `json:"error_message,omitempty"`
}

var envelopeStatus = map[string]string{
	statusQueued: "IN_PROGRESS", statusProcessing: "IN_PROGRESS",
	statusCompleted: "SUCCESS", statusFailed: "FAILED",
}

// writeTask answers a create (201) or a poll (200) in the configured dialect.
func (s *Server) writeTask(w http.ResponseWriter, status int, v taskView) {
	if !s.opts.Envelope {
		writeJSON(w, status, v)
		return
	}
	d := envelopeTask{TaskID: v.TaskID, Status: envelopeStatus[v.Status], Progress: v.Progress,
		Response: []string{}, ConsumedCredits: v.ConsumedCredits}
	if v.VideoURL != "" {
		d.Response = append(d.Response, v.VideoURL)
	}
	if v.Error != nil {
		d.ErrorMessage = v.Error.Message
	}
	writeJSON(w, http.StatusOK, envelopeBody{Code: 200, Message: "success", Data: d, RequestID: v.RequestID})
}
