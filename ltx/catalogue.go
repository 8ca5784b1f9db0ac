package ltx

import (
	"net/http"
	"sync"
)

// The fifteen error codes of the LTX-2 API's error documentation.
const (
	CodeInvalidAPIKey          = "INVALID_API_KEY"
	CodeMissingAPIKey          = "MISSING_API_KEY"
	CodeAPIKeyExpired          = "API_KEY_EXPIRED"
	CodeInvalidPrompt          = "INVALID_PROMPT"
	CodeInvalidDuration        = "INVALID_DURATION"
	CodeInvalidResolution      = "INVALID_RESOLUTION"
	CodeInvalidImageURL        = "INVALID_IMAGE_URL"
	CodeImageTooLarge          = "IMAGE_TOO_LARGE"
	CodeInsufficientCredits    = "INSUFFICIENT_CREDITS"
	CodeRateLimitExceeded      = "RATE_LIMIT_EXCEEDED"
	CodePlanLimitReached       = "PLAN_LIMIT_REACHED"
	CodeTaskNotFound           = "TASK_NOT_FOUND"
	CodeGenerationFailed       = "GENERATION_FAILED"
	CodeContentPolicyViolation = "CONTENT_POLICY_VIOLATION"
	CodeTimeout                = "TIMEOUT"
)

// catalogue is the one table of codes; the executor's retry policy, the
// planner's suggestions and the README read it through the functions below.
// Meanings and suggestions are in the project's own words.
var catalogue = []CodeInfo{
	{CodeMissingAPIKey, http.StatusUnauthorized,
		"The request carried no API key.",
		"Set LTX_API_KEY (or LTX_API_KEY_FILE) so that ltxform can send the key as a Bearer token.",
		ClassRunFatal, ThrottleNone},
	{CodeInvalidAPIKey, http.StatusUnauthorized,
		"The API key is not recognised or was revoked.",
		"Copy the key again from the LTX-2 dashboard and check that nothing was cut off.",
		ClassRunFatal, ThrottleNone},
	{CodeAPIKeyExpired, http.StatusUnauthorized,
		"The API key has expired.",
		"Create a new key in the LTX-2 dashboard and update LTX_API_KEY.",
		ClassRunFatal, ThrottleNone},
	{CodeInvalidPrompt, http.StatusBadRequest,
		"The prompt is empty, longer than 2000 characters, or not allowed.",
		"Keep the prompt between 1 and 2000 characters and within the content guidelines.",
		ClassTaskPermanent, ThrottleNone},
	{CodeInvalidDuration, http.StatusBadRequest,
		"The duration is outside 6 to 20 seconds.",
		"Set duration to a whole number of seconds from 6 to 20.",
		ClassTaskPermanent, ThrottleNone},
	{CodeInvalidResolution, http.StatusBadRequest,
		"The resolution is not one the API offers.",
		`Set resolution to "1080p", "1440p" or "4K".`,
		ClassTaskPermanent, ThrottleNone},
	{CodeInvalidImageURL, http.StatusBadRequest,
		"The image URL is malformed or the API could not fetch it.",
		"Use an absolute http(s) URL of an image that anyone can download without logging in.",
		ClassTaskPermanent, ThrottleNone},
	{CodeImageTooLarge, http.StatusBadRequest,
		"The input image is larger than 10 MB.",
		"Compress or scale the image down below 10 MB.",
		ClassTaskPermanent, ThrottleNone},
	{CodeInsufficientCredits, http.StatusPaymentRequired,
		"The account has too few credits for this video.",
		"Buy more credits or move to a larger plan, then apply again; finished videos are kept.",
		ClassRunStop, ThrottleNone},
	{CodeRateLimitExceeded, http.StatusTooManyRequests,
		"Too many requests for the account's plan in a short time.",
		"Lower requests_per_minute in the api block, or move to a plan with a higher limit.",
		ClassRetry, ThrottleRate},
	{CodePlanLimitReached, http.StatusForbidden,
		"The plan's allowance for this billing cycle is used up.",
		"Wait for the next billing cycle or upgrade the plan, then apply again.",
		ClassRunStop, ThrottleNone},
	{CodeTaskNotFound, http.StatusNotFound,
		"The task does not exist, or belongs to another account.",
		"Check that the same API key made the task; the next plan will create the video again.",
		ClassTaskLost, ThrottleNone},
	{CodeGenerationFailed, http.StatusInternalServerError,
		"The API could not generate this video.",
		"Apply again to retry; if it keeps failing, rephrase the prompt or contact LTX support with the request_id.",
		ClassTaskRetry, ThrottleNone},
	{CodeContentPolicyViolation, http.StatusBadRequest,
		"The request breaks the content policy.",
		"Reword the prompt (or change the image) to stay within the content guidelines.",
		ClassTaskPermanent, ThrottleNone},
	{CodeTimeout, http.StatusServiceUnavailable,
		"Generation took too long and was abandoned.",
		"Apply again to retry; shorter or lower-resolution videos finish sooner.",
		ClassTaskRetry, ThrottleNone},
}

var catalogueByCode = sync.OnceValue(func() map[string]CodeInfo {
	m := make(map[string]CodeInfo, len(catalogue))
	for _, c := range catalogue {
		m[c.Code] = c
	}
	return m
})

// Catalogue returns every known code, in a stable order (the order of the
// API's documentation, by group).
func Catalogue() []CodeInfo {
	return append([]CodeInfo(nil), catalogue...)
}

// LookupCode returns the catalogue entry for code.
func LookupCode(code string) (CodeInfo, bool) {
	c, ok := catalogueByCode()[code]
	return c, ok
}

// Classify decides by code first; the HTTP status counts only when the code
// is empty or unknown, because deployments differ in which status carries
// which code. A status outside 400–599 with no known code is task-permanent:
// sending the same request again would get the same answer.
func Classify(code string, status int) Class {
	if c, ok := catalogueByCode()[code]; ok {
		return c.Class
	}
	return classifyStatus(status)
}

// classifyStatus is every provider's rule for an answer without a known
// code. A status outside 400–599 is task-permanent: sending the same request
// again would get the same answer.
func classifyStatus(status int) Class {
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ClassRunFatal
	case status == http.StatusPaymentRequired:
		return ClassRunStop
	case status == http.StatusNotFound:
		return ClassTaskLost
	case status == http.StatusTooManyRequests:
		return ClassRetry
	case status >= 500 && status <= 599:
		return ClassRetry
	default:
		return ClassTaskPermanent
	}
}
