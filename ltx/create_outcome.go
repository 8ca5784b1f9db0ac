package ltx

import (
	"errors"
	"slices"
)

// CreateOutcome is what an error of Client.Create says about whether the
// service made a task. It decides money: a create is taken back only when
// it provably bought nothing, and re-sent only with a trusted key.
type CreateOutcome string

const (
	// CreateNotSent: the create never reached the service (an image upload
	// failed first, the connection was never made, the request was never
	// written, or it was refused before sending).
	CreateNotSent CreateOutcome = "not-sent"
	// CreateRefused: the service's own documented "not created" answer, a
	// JSON error of its vocabulary with one of its NotCreatedStatuses.
	CreateRefused CreateOutcome = "refused"
	// CreateMaybeMade: any other answer (a gateway's page, a 5xx, a reset,
	// a timeout, a redirect, an unreadable body): the task may exist.
	CreateMaybeMade CreateOutcome = "maybe-made"
)

// DefaultNotCreatedStatuses are the statuses whose answer, in a service's
// own error vocabulary, means that no task was made, for a provider that
// names none of its own.
var DefaultNotCreatedStatuses = []int{400, 401, 402, 403, 413, 422, 429}

// ClassifyCreate is the one classifier of a failed create (ARCHITECTURE.md, "Money
// rules"). Client.Create returns every error that follows the send as a
// *RequestError (Sent true) or an *APIError the client has judged by its
// provider's data; anything else came before the send.
func ClassifyCreate(err error) CreateOutcome {
	var upErr *UploadError
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case err == nil:
		return CreateNotSent
	case errors.As(err, &upErr):
		return CreateNotSent // the create itself was never sent
	case errors.As(err, &apiErr):
		if apiErr.notCreated {
			return CreateRefused
		}
		return CreateMaybeMade
	case errors.As(err, &reqErr):
		if reqErr.Sent {
			return CreateMaybeMade
		}
		return CreateNotSent
	}
	return CreateNotSent
}

// refusesCreate reports whether an answer in the provider's own vocabulary
// (a known code) with this status is its documented "not created".
func (p *Provider) refusesCreate(status int) bool {
	statuses := p.NotCreatedStatuses
	if statuses == nil {
		statuses = DefaultNotCreatedStatuses
	}
	return slices.Contains(statuses, status)
}
