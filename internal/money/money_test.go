package money

import (
	"encoding/json"
	"testing"
)

func TestTenThousandPricesOfThreeCentsSumToThreeHundredDollars(t *testing.T) {
	var exact Amount
	var float float64
	for range 10_000 {
		exact += FromFloat(0.03)
		float += 0.03
	}
	if exact.String() != "300" || exact.Float() != 300 {
		t.Errorf("10,000 × 0.03 = %s (%v); want exactly 300", exact, exact.Float())
	}
	if float == 300 {
		t.Log("float64 happened to sum exactly; the exact sum is still checked above")
	}
}

func TestBudgetComparesExactly(t *testing.T) {
	if got, limit := Sum(0.09, 0.20), FromFloat(0.29); got > limit {
		t.Errorf("0.09 + 0.20 = %s, over 0.29", got)
	}
}

func TestStringAndJSONAreExactDecimals(t *testing.T) {
	for _, tc := range []struct {
		a    Amount
		want string
	}{
		{Sum(300, 39.6), "339.6"},
		{Sum(13.2, 13.2), "26.4"},
		{FromFloat(0.03), "0.03"},
		{FromFloat(0.005), "0.005"},
		{0, "0"},
		{FromFloat(-1.5), "-1.5"},
		{FromFloat(2240), "2240"},
		{1, "0.000001"},
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("String = %q, want %q", got, tc.want)
		}
		b, err := json.Marshal(tc.a)
		if err != nil || string(b) != tc.want {
			t.Errorf("JSON = %s (%v), want %s", b, err, tc.want)
		}
		var back Amount
		if err := json.Unmarshal(b, &back); err != nil || back != tc.a {
			t.Errorf("JSON %s read back as %s (%v)", b, back, err)
		}
	}
}

func TestParseRoundsToTheMicroUnit(t *testing.T) {
	for in, want := range map[string]Amount{"0.29": 290_000, "1e3": 1_000_000_000, "0.0000005": 1, "-0.0000005": -1, "0.00000049": 0} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := Parse("lots"); err == nil {
		t.Error("Parse(\"lots\") gave no error")
	}
}

func TestCentsRoundsHalfAwayFromZero(t *testing.T) {
	for a, want := range map[Amount]int64{FromFloat(12.355): 1236, FromFloat(0.004): 0, FromFloat(0.999): 100, FromFloat(-0.015): -2} {
		if got := a.Cents(); got != want {
			t.Errorf("%s.Cents() = %d, want %d", a, got, want)
		}
	}
}
