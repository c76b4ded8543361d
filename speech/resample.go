package speech

import (
	"math"
	"sync"
	"sync/atomic"
)

// The resampler is a windowed-sinc (Kaiser) polyphase filter. Its cut-off
// sits at 46% of the lower of the two rates and the stop band starts at
// its Nyquist frequency, so for 8 kHz output 1 kHz passes untouched and
// anything above 4 kHz is attenuated by about 70 dB or more instead of
// folding back into the telephone band.
const (
	resampleCutoff = 0.4625 // cut-off as a fraction of the lower rate
	resampleZeros  = 34     // half the filter length, in samples of the lower rate
	resampleBeta   = 8.0    // Kaiser window shape (~80 dB side lobes)
)

// Resample returns the audio converted to rate. Audio already at rate is
// returned as is.
func (a *Audio) Resample(rate int) *Audio {
	if a.Rate == rate || len(a.Samples) == 0 || rate <= 0 || a.Rate <= 0 {
		return &Audio{Samples: a.Samples, Rate: rate}
	}
	k := kernelFor(a.Rate, rate)
	taps := 2 * k.half
	// The input as floats with taps zeros on both sides, so every filter
	// window lies inside it.
	x := make([]float64, len(a.Samples)+2*taps)
	for i, v := range a.Samples {
		x[taps+i] = float64(v)
	}
	// Output sample j sits at input position j*M/L: integer part i,
	// fractional phase p/L.
	n := int((int64(len(a.Samples))*int64(k.l) + int64(k.m) - 1) / int64(k.m))
	out := make([]int16, n)
	for j := range n {
		pos := int64(j) * int64(k.m)
		i := int(pos / int64(k.l))
		p := int(pos % int64(k.l))
		if k.phases != k.l { // nearest of the tabulated phases
			p = int((int64(p)*int64(k.phases) + int64(k.l)/2) / int64(k.l))
			if p == k.phases {
				i, p = i+1, 0
			}
		}
		h := k.table[p*taps : (p+1)*taps]
		w := x[taps+i-k.half+1:][:taps]
		// four sums break the dependency chain of one accumulator
		var s0, s1, s2, s3 float64
		t := 0
		for ; t+4 <= len(h); t += 4 {
			s0 += h[t] * w[t]
			s1 += h[t+1] * w[t+1]
			s2 += h[t+2] * w[t+2]
			s3 += h[t+3] * w[t+3]
		}
		for ; t < len(h); t++ {
			s0 += h[t] * w[t]
		}
		out[j] = toInt16((s0 + s1 + s2 + s3) / 32768)
	}
	return &Audio{Samples: out, Rate: rate}
}

// kernel is a polyphase filter bank for one rate pair with the ratio l/m
// (output/input, reduced): phases (l, or maxPhases for odd ratios) of
// 2*half taps each.
type kernel struct {
	l, m   int
	phases int
	half   int
	table  []float64
}

const (
	maxPhases   = 512     // more phases are rounded to the nearest of these
	maxCacheTab = 1 << 18 // larger tables are not kept after use
)

var (
	kernels     sync.Map // [2]int{from, to} -> *kernel
	kernelCount atomic.Int32
)

// maxKernels bounds the kept filter banks; engines produce one or two rates.
const maxKernels = 16

func kernelFor(from, to int) *kernel {
	key := [2]int{from, to}
	if k, ok := kernels.Load(key); ok {
		return k.(*kernel)
	}
	g := gcd(from, to)
	k := &kernel{l: to / g, m: from / g}
	k.phases = min(k.l, maxPhases)
	low := min(from, to)
	fc := resampleCutoff * float64(low) / float64(from) // cycles per input sample
	k.half = int(math.Ceil(resampleZeros * float64(from) / float64(low)))
	taps := 2 * k.half
	k.table = make([]float64, k.phases*taps)
	i0b := besselI0(resampleBeta)
	for p := range k.phases {
		frac := float64(p) / float64(k.phases)
		h := k.table[p*taps : (p+1)*taps]
		var sum float64
		for t := range taps {
			// distance from the output position to input sample
			// i-half+1+t, in input samples
			x := float64(t-k.half+1) - frac
			r := x / float64(k.half)
			if r <= -1 || r >= 1 {
				continue
			}
			w := besselI0(resampleBeta*math.Sqrt(1-r*r)) / i0b
			h[t] = 2 * fc * sinc(2*fc*x) * w
			sum += h[t]
		}
		for t := range h { // unity gain at DC for every phase
			h[t] /= sum
		}
	}
	if len(k.table) > maxCacheTab || kernelCount.Load() >= maxKernels {
		return k
	}
	k2, loaded := kernels.LoadOrStore(key, k)
	if !loaded {
		kernelCount.Add(1)
	}
	return k2.(*kernel)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2) / float64(k)
		sum += term * term
		if term*term < sum*1e-12 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
