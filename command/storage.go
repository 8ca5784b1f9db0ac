package command

import (
	"context"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/videostore"
)

// openVideoStorage is the plan's storage "s3", or nil without one. A
// simulated run keeps its files local: the simulator's are no videos.
func openVideoStorage(ctx context.Context, p *plan.Plan) (executor.VideoStorage, error) {
	if p.Settings.Storage == nil || p.Settings.Simulated {
		return nil, nil
	}
	s, err := videostore.Open(ctx, *p.Settings.Storage)
	if err != nil {
		return nil, err
	}
	return s, nil
}
