package ltx

import (
	"net/http"
	"testing"
	"time"
)

// A poll answer that says what the task was asked for is read into
// Task.Reported, so that import can compare it with the manifest.
func TestDecodeTaskReadsWhatTheTaskWasAskedFor(t *testing.T) {
	body := []byte(`{"task_id":"t1","status":"completed","video_url":"https://cdn.example/t1.mp4","duration":"8","resolution":"4K","mode":"text-to-video"}`)
	a, err := decodeTask(http.StatusOK, http.Header{}, body, time.Now())
	if err != nil || a.task == nil {
		t.Fatalf("decode: %v", err)
	}
	if got := a.task.Reported; got != (TaskShape{Duration: 8, Resolution: "4K", Mode: "text-to-video"}) {
		t.Errorf("Reported = %+v", got)
	}
	a, _ = decodeTask(http.StatusOK, http.Header{}, []byte(`{"task_id":"t1","status":"queued"}`), time.Now())
	if a.task.Reported != (TaskShape{}) {
		t.Errorf("nothing reported, read %+v", a.task.Reported)
	}
}
