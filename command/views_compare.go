package command

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/plan"
)

// compareView shows plan -compare: the manifest priced on every provider.
type compareView interface {
	Compare(rows []plan.ProviderEstimate) error
}

func newCompareView(v *view, jsonOut bool) compareView {
	if jsonOut {
		return &compareJSONView{w: v.s.Out}
	}
	return &compareHumanView{w: v.s.Out}
}

type compareHumanView struct{ w io.Writer }

// Compare prints one row per provider, then what each cannot make and why.
func (v *compareHumanView) Compare(rows []plan.ProviderEstimate) error {
	table := make([][]string, 0, len(rows))
	assumed := false
	for _, r := range rows {
		name := r.Provider
		if r.Manifest {
			name += " (the manifest's)"
		}
		cost := plan.FormatCost(r.Estimate, r.Unit)
		if len(r.AssumedPrices) > 0 {
			cost += "*"
			assumed = true
		}
		at := "all at once"
		if r.Concurrency > 0 {
			at = strconv.Itoa(r.Concurrency) + " at once"
		}
		when := "~" + compareDuration(r.Time) + " (" + at + ")"
		if r.TimeAssumed {
			when += "†"
		}
		table = append(table, []string{name, string(r.Unit), fmt.Sprintf("%d", r.Videos), cost, when, strconv.Itoa(len(r.CannotMake))})
	}
	if err := renderTable(v.w, []string{"provider", "unit", "videos", "estimate", "time", "cannot make"}, table); err != nil {
		return err
	}
	if assumed {
		fmt.Fprintln(v.w, "* rests on assumed prices:")
		for _, r := range rows {
			if len(r.AssumedPrices) > 0 {
				fmt.Fprintf(v.w, "  %s: %s\n", r.Provider, strings.Join(r.AssumedPrices, ", "))
			}
		}
	}
	fmt.Fprintln(v.w, "† from an assumed generation time per video; the service documents none.")
	for _, r := range rows {
		for _, c := range r.CannotMake {
			fmt.Fprintf(v.w, "%s cannot make %s: %s.\n", r.Provider, c.Address, c.Reason)
		}
	}
	return nil
}

func compareDuration(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

type compareJSONView struct{ w io.Writer }

func (v *compareJSONView) Compare(rows []plan.ProviderEstimate) error {
	doc := compareJSON{FormatVersion: uiFormatVersion, Providers: make([]jsonProviderEstimate, 0, len(rows))}
	for _, r := range rows {
		j := jsonProviderEstimate{Provider: r.Provider, Unit: string(r.Unit), Manifest: r.Manifest, Videos: r.Videos,
			Estimate: money.FromFloat(r.Estimate).Float(), AssumedPrices: r.AssumedPrices, Concurrency: r.Concurrency,
			TimeSeconds: r.TimeSeconds, TimeAssumed: r.TimeAssumed, UnpricedRows: r.UnpricedRows}
		for _, c := range r.CannotMake {
			j.CannotMake = append(j.CannotMake, jsonCannotMake{Address: c.Address, Reason: c.Reason})
		}
		doc.Providers = append(doc.Providers, j)
	}
	return writeJSON(v.w, doc)
}
