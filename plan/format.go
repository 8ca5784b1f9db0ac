package plan

import (
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/ltx"
)

// FormatCost writes a cost with its unit: "2,240 credits", "$12.36"
// (dollars to the cent; "$0.005" below a cent, where a per-second price can be).
func FormatCost(v float64, unit ltx.Unit) string {
	if unit == ltx.UnitUSD {
		neg := ""
		if v < 0 {
			neg, v = "-", -v
		}
		if v != 0 && v < 0.01 {
			return neg + "$" + strconv.FormatFloat(v, 'f', -1, 64)
		}
		whole := FormatCredits(float64(int64(v)))
		cents := strconv.FormatFloat(v-float64(int64(v)), 'f', 2, 64)
		if strings.HasPrefix(cents, "1") { // 0.999… rounds up to 1.00
			whole = FormatCredits(float64(int64(v) + 1))
			cents = "0.00"
		}
		return neg + "$" + whole + cents[1:]
	}
	if v == 1 {
		return "1 credit"
	}
	return FormatCredits(v) + " credits"
}

// FormatCredits writes a credit figure for people: thousands grouped with
// commas, at most two decimals, none when whole ("2,240", "12.5").
func FormatCredits(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
