package command

import (
	"time"

	"github.com/ltxform/ltxform/media"

	"github.com/ltxform/ltxform/state"
)

func entryJSON(e *state.Entry) *jsonEntry {
	if e == nil {
		return nil
	}
	j := &jsonEntry{
		Address: e.Address, Status: string(e.Status), InputHash: e.InputHash, Mode: e.Mode,
		Provider: e.Provider, Endpoint: e.Endpoint, Simulated: e.Simulated, Unit: e.Unit,
		TaskID: e.TaskID, RunID: e.RunID, RequestID: e.RequestID, IdempotencyKey: e.IdempotencyKey,
		Attempts: e.Attempts, Duration: e.Duration, Resolution: e.Resolution,
		CostEstimated: e.CostEstimated, CostConsumed: e.CostConsumed,
		VideoURL: e.VideoURL, Output: e.Output, SHA256: e.SHA256, Bytes: e.Bytes, OutputModTime: timeOrNil(e.OutputModTime),
		ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage,
		CreatedAt: timeOrNil(e.CreatedAt), UpdatedAt: timeOrNil(e.UpdatedAt), CompletedAt: timeOrNil(e.CompletedAt),
		Host: e.Host, RequestSource: e.RequestSource, ManifestHash: e.ManifestHash, MadeBy: e.MadeBy,
	}
	if e.Media != nil {
		m := mediaJSON(*e.Media)
		j.Media = &m
	}
	if m := e.Mismatch; m != nil {
		o := m.Ordered
		j.Mismatch = &jsonMismatch{
			Ordered: jsonMediaOrder{Width: o.Width, Height: o.Height, DurationS: o.DurationS, FPS: o.FPS, Audio: o.Audio},
			Arrived: mediaJSON(m.Arrived), Differences: m.Differences, TaskID: m.TaskID, RequestID: m.RequestID,
			AcceptedAt: timeOrNil(m.AcceptedAt),
		}
	}
	if s := e.Stored; s != nil {
		j.Stored = &jsonStored{Bucket: s.Bucket, Key: s.Key, Bytes: s.Bytes, SHA256: s.SHA256, StoredAt: timeOrNil(s.StoredAt)}
	}
	if u := e.TaskURLs; !u.IsZero() {
		j.TaskURLs = &jsonTaskURLs{Status: u.Status, Result: u.Result, Cancel: u.Cancel}
	}
	if e.Request != nil {
		r := requestJSON(*e.Request)
		j.Request = &r
	}
	for _, t := range e.Takes {
		j.Takes = append(j.Takes, takeJSON(t))
	}
	if e.PriorFile != nil {
		pf := takeJSON(*e.PriorFile)
		j.PriorFile = &pf
	}
	return j
}

func takeJSON(t state.Take) jsonTake {
	jt := jsonTake{Path: t.Path, TaskID: t.TaskID, SHA256: t.SHA256, Bytes: t.Bytes, Reason: t.Reason, KeptAt: t.KeptAt, StorageKey: t.StorageKey}
	if t.Request != nil {
		r := requestJSON(*t.Request)
		jt.Request = &r
	}
	return jt
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func mediaJSON(i media.Info) jsonMedia {
	return jsonMedia{DurationS: i.DurationS, Width: i.Width, Height: i.Height, FPS: i.FPS, Audio: i.Audio}
}
