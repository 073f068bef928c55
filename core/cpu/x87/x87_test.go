package x87

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSaveRestoreRoundTrip(t *testing.T) {
	var f FPU
	f.Reset()
	f.CW = 0x27F
	f.pushV(one)
	f.pushV(F80{Sig: 0xC90FDAA22168C235, SE: 0x4000})
	f.SW |= FlagPE
	img := f.Save()
	require.EqualValues(t, 0x27F, f.CW, "Save leaves the FPU alone")
	var g FPU
	g.Reset()
	g.Restore(img)
	require.Equal(t, f.CW, g.CW)
	require.Equal(t, f.SW, g.SW)
	require.Equal(t, f.ST(0), g.ST(0))
	require.Equal(t, f.ST(1), g.ST(1))
	require.True(t, g.IsEmpty(2))
	require.Equal(t, f.FullTags(), g.FullTags())
}

// TestRoundingTable checks round-to-nearest ties and directed modes on
// hand-made cases at each precision.
func TestRoundingTable(t *testing.T) {
	oneUlp := F80{Sig: bitJ | 1, SE: expBias} // 1 + 2^-63
	tests := []struct {
		name string
		rc   uint8
		prec uint8
		a, b F80
		want F80
	}{
		{"tie to even 64", rcNearest, 64, one, F80{Sig: bitJ, SE: expBias - 64}, one},
		{"tie up to even 64", rcNearest, 64, oneUlp, F80{Sig: bitJ, SE: expBias - 64}, F80{Sig: bitJ | 2, SE: expBias}},
		{"up 64", rcUp, 64, one, F80{Sig: bitJ, SE: expBias - 100}, oneUlp},
		{"down negative 64", rcDown, 64, one.neg(), F80{Sig: bitJ, SE: 0x8000 | (expBias - 100)}, oneUlp.neg()},
		{"zero 53", rcZero, 53, one, F80{Sig: 0xFFF << 52, SE: expBias - 53}, one},
		{"nearest 24", rcNearest, 24, one, F80{Sig: bitJ, SE: expBias - 24}, one},
		{"x - x down is -0", rcDown, 64, one, one.neg(), mkZero(true)},
		{"x - x nearest is +0", rcNearest, 64, one, one.neg(), mkZero(false)},
	}
	for _, tc := range tests {
		c := ctx{rc: tc.rc, prec: tc.prec}
		require.Equal(t, tc.want, c.add(tc.a, tc.b), tc.name)
	}
}

func TestFXSaveRoundTrip(t *testing.T) {
	var f FPU
	f.Reset()
	f.pushV(one)
	f.pushV(Indefinite)
	f.FIP, f.FOP = 0x08048000, 0x1E8
	var img [512]byte
	f.FXSave(img[:])
	require.EqualValues(t, 0xC0, img[4], "abridged tags: physical 6 and 7 valid")
	var g FPU
	g.Reset()
	g.FXRstor(img[:])
	require.Equal(t, f.CW, g.CW)
	require.Equal(t, f.SW, g.SW)
	require.Equal(t, f.ST(0), g.ST(0))
	require.Equal(t, f.ST(1), g.ST(1))
	require.Equal(t, f.FullTags(), g.FullTags())
	require.Equal(t, f.FIP, g.FIP)
	require.Equal(t, f.FOP, g.FOP)
}
