package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
)

// FormatCost writes a cost with its unit: "2,240 credits", "$12.36"
// (dollars to the cent; "$0.005" below a cent, where a per-second price can be).
// The figure is rounded to the micro-unit first, so that a float's last
// digit never shows.
func FormatCost(v float64, unit ltx.Unit) string {
	a := money.FromFloat(v)
	if unit == ltx.UnitUSD {
		neg := ""
		if a < 0 {
			neg, a = "-", -a
		}
		if a != 0 && a < money.Scale/100 {
			return neg + "$" + a.String()
		}
		cents := a.Cents()
		return fmt.Sprintf("%s$%s.%02d", neg, groupThousands(strconv.FormatInt(cents/100, 10)), cents%100)
	}
	if a == money.Scale {
		return "1 credit"
	}
	return FormatCredits(v) + " credits"
}

// FormatCredits writes a credit figure for people: thousands grouped with
// commas, at most two decimals, none when whole ("2,240", "12.5").
func FormatCredits(v float64) string {
	hundredths := money.FromFloat(v).Cents()
	neg := ""
	if hundredths < 0 {
		neg, hundredths = "-", -hundredths
	}
	s := neg + groupThousands(strconv.FormatInt(hundredths/100, 10))
	if frac := hundredths % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	return s
}

// groupThousands puts commas between groups of three digits: "2,240".
func groupThousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
