package command

import "github.com/ltxform/ltxform/media"

// accepted says that accept took addr's delivery as it arrived, with the
// request id that support needs.
func (v *view) accepted(addr string, arrived media.Info, requestID string) {
	if requestID == "" {
		requestID = "(none)"
	}
	v.printf("Accepted %s as delivered (%s; request id %s). Nothing was sent.\n", addr, arrived.String(), requestID)
}
