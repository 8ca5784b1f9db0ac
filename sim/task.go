package sim

import (
	"math/rand/v2"
	"time"
)

// Task statuses of the wire contract.
const (
	statusQueued     = "queued"
	statusProcessing = "processing"
	statusCompleted  = "completed"
	statusFailed     = "failed"
)

// task is one generation. Its status is not stored: it follows from the
// clock and the times fixed at create, so nothing runs between requests.
// Fields after creation change only under Server.mu.
type task struct {
	id        string
	seq       uint64
	req       *createRequest
	bodyKey   string
	credits   float64
	created   time.Time
	startedAt time.Time // leaves the queue
	endsAt    time.Time // completes or fails
	failCode  string    // GENERATION_FAILED or TIMEOUT; "" completes
	lost      bool      // polls answer TASK_NOT_FOUND
	truncate  int       // downloads still to cut short
	htmlPage  int       // downloads still to answer with an HTML error page
	apiKey    string    // the key that created it (EchoKey puts it in failMessage)
	failMsg   string    // the failed task's error message
	videoPath string    // where the provider serves its MP4
	// wrongMedia: the video delivered is not the one ordered (wrong_media).
	wrongMedia wrongMediaKind
}

// wrongMediaKind is how a wrong_media delivery differs from its order.
type wrongMediaKind int

const (
	rightMedia  wrongMediaKind = iota
	wrongSize                  // two thirds of the size ordered
	wrongLength                // half the length ordered
	wrongSilent                // no sound track, though sound was ordered
)

// statusAt is the task's status and progress (0–100; -1 when failed) at now.
func (t *task) statusAt(now time.Time) (string, int) {
	switch {
	case now.Before(t.startedAt):
		return statusQueued, 0
	case now.Before(t.endsAt):
		span := t.endsAt.Sub(t.startedAt)
		return statusProcessing, min(99, int(100*now.Sub(t.startedAt)/span))
	case t.failCode != "":
		return statusFailed, -1
	default:
		return statusCompleted, 100
	}
}

// aliveAt: queued, processing or completed, and not lost. A second create of
// the same body while one is alive is a duplicate.
func (t *task) aliveAt(now time.Time) bool {
	return !t.lost && (t.failCode == "" || now.Before(t.endsAt))
}

// expiredAt: the task ended more than retention ago (0: kept forever), so
// its status and video are gone.
func (t *task) expiredAt(now time.Time, retention time.Duration) bool {
	return retention > 0 && !now.Before(t.endsAt.Add(retention))
}

// resolutionFactor scales the realistic latency: bigger frames take longer.
// 480p and 720p (ltx2api, lightricks) are taken as a little quicker than 1080p.
var resolutionFactor = map[string]float64{"480p": 0.6, "720p": 0.8, "1080p": 1, "1440p": 1.5, "4K": 2.5}

// schedule fixes when t leaves the queue and ends: fixed Latency, or the
// realistic model (30 s + 2 s per second of video, ×1.5 for 1440p, ×2.5 for
// 4K, ±20% jitter drawn from Seed and the task's sequence number), both
// multiplied by TimeScale. A fifth of the time is spent queued.
func (o *Options) schedule(t *task) {
	total := float64(o.Latency)
	if o.RealisticLatency {
		base := 30*time.Second + time.Duration(t.req.Duration)*2*time.Second
		jitter := 0.8 + 0.4*rand.New(rand.NewPCG(uint64(o.Seed), t.seq)).Float64()
		total = float64(base) * resolutionFactor[t.req.Resolution] * jitter
	}
	total *= o.TimeScale
	t.startedAt = t.created.Add(time.Duration(total / 5))
	t.endsAt = t.created.Add(time.Duration(total))
}

// taskView is the body of a poll (and of a create).
type taskView struct {
	TaskID          string         `json:"task_id"`
	Status          string         `json:"status"`
	Progress        *int           `json:"progress,omitempty"`
	VideoURL        string         `json:"video_url,omitempty"`
	ConsumedCredits float64        `json:"consumed_credits"`
	Error           *taskErrorView `json:"error,omitempty"`
	RequestID       string         `json:"request_id"`
}

type taskErrorView struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var failMessages = map[string]string{
	codeGenerationFailed: "the video generation failed; try again, or change the prompt if it keeps failing",
	codeTimeout:          "the generation did not finish in time",
}

// view renders t at now; baseURL prefixes the video_url.
func (t *task) view(now time.Time, baseURL, requestID string) taskView {
	status, progress := t.statusAt(now)
	v := taskView{TaskID: t.id, Status: status, ConsumedCredits: t.credits, RequestID: requestID}
	if progress >= 0 {
		v.Progress = &progress
	}
	switch status {
	case statusCompleted:
		v.VideoURL = baseURL + t.videoPath
	case statusFailed:
		v.Error = &taskErrorView{Code: t.failCode, Message: t.failMsg}
	}
	return v
}

// scaled is d multiplied by TimeScale.
func (o *Options) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * o.TimeScale)
}
