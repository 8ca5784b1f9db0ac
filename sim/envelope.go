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

// taskBody is a create (201) or poll (200) answer in the configured v1
// dialect: as is, or (Envelope) as HTTP 200 in the envelope.
func (s *Server) taskBody(status int, v taskView) (int, any) {
	if !s.opts.Envelope {
		return status, v
	}
	return http.StatusOK, envelopeOf(v)
}

// envelopeOf wraps a task view as the other deployment (and ltx2api) does.
func envelopeOf(v taskView) envelopeBody {
	d := envelopeTask{TaskID: v.TaskID, Status: envelopeStatus[v.Status], Progress: v.Progress,
		Response: []string{}, ConsumedCredits: v.ConsumedCredits}
	if v.VideoURL != "" {
		d.Response = append(d.Response, v.VideoURL)
	}
	if v.Error != nil {
		d.ErrorMessage = v.Error.Message
	}
	return envelopeBody{Code: 200, Message: "success", Data: d, RequestID: v.RequestID}
}
