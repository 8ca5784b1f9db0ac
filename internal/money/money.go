// Package money holds amounts exactly: an integer of micro-units of the
// amount's unit (a millionth of a US dollar or of a credit). Budgets are
// compared and spend is summed in it, never in floating point, where
// $0.09 + $0.20 exceeds $0.29 and 10,000 × $0.03 is not $300.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Amount is a sum of money in micro-units of its unit.
type Amount int64

// Scale is the number of micro-units in one unit.
const Scale = 1_000_000

// FromFloat is f rounded to the nearest micro-unit: the boundary where a
// figure stored as a float (a price, a state's cost) enters exact arithmetic.
func FromFloat(f float64) Amount {
	return Amount(math.Round(f * Scale))
}

// Float is a as the float64 nearest to it, for fields still stored as
// floats: 339.6 stays 339.6 when printed.
func (a Amount) Float() float64 {
	return float64(a) / Scale
}

// Times is a multiplied by n (a price times a number of seconds or tasks).
func (a Amount) Times(n int) Amount { return a * Amount(n) }

// Sum is the exact sum of float figures.
func Sum(figures ...float64) Amount {
	var s Amount
	for _, f := range figures {
		s += FromFloat(f)
	}
	return s
}

// String is the exact decimal, without trailing zeros: "339.6", "0.03", "-2".
func (a Amount) String() string {
	neg, whole, frac := a.split()
	s := strconv.FormatUint(whole, 10)
	if frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// split is a's sign, and |a| as units and the micro-units under one.
func (a Amount) split() (neg bool, whole, frac uint64) {
	u := uint64(a)
	if a < 0 {
		neg, u = true, uint64(-a)
	}
	return neg, u / Scale, u % Scale
}

// Cents is a rounded half away from zero to the hundredth of its unit, in
// hundredths: what "$12.36" shows.
func (a Amount) Cents() int64 {
	const step = Scale / 100
	if a < 0 {
		return -int64((-a + step/2) / step)
	}
	return int64((a + step/2) / step)
}

// MarshalJSON writes a as a JSON number with its exact decimal: 339.6.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.String()), nil
}

// UnmarshalJSON reads a JSON number exactly (no float on the way), rounded
// to the micro-unit.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Parse reads a decimal ("0.29", "1e3", "-4.5") exactly, rounded half away
// from zero to the micro-unit.
func Parse(s string) (Amount, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	r.Mul(r, big.NewRat(Scale, 1))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() != 0 && new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	if !q.IsInt64() {
		return 0, errors.New("amount out of range: " + s)
	}
	return Amount(q.Int64()), nil
}
