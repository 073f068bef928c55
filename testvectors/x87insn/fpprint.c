/* printf and libm over many values: the output must be the same under
 * the emulator as natively (glibc and musl). */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static double vals[] = {
	0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 2.0 / 3.0, 3.141592653589793, 2.718281828459045,
	1e-300, 4.9e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456.789,
	-98765.4321, 1e22, 1e23, 5e-324, 0.3, 1.0 / 3.0, 100.0, 1e100, 6.02214076e23,
	1.5, 2.5, -2.5, 0.49999999999999994, 4503599627370496.5, 9007199254740993.0,
	1e-5, 123.456e-10, 7.0, 1024.0, 0.001, 65536.0, 1e15, 299792458.0,
};
#define N (sizeof vals / sizeof vals[0])

static uint64_t rs = 88172645463325252ull;
static double rnd(void)
{
	rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
	double d;
	uint64_t b = rs;
	/* keep exponents moderate so libm gets real work */
	b = (b & 0x800FFFFFFFFFFFFFull) | (uint64_t)(1023 - 40 + (rs >> 20) % 80) << 52;
	memcpy(&d, &b, 8);
	return d;
}

static void show(double x)
{
	long double l = (long double)x / 3;
	printf("%f %e %g %a %.17g %Lf %Le %.20Lg\n", x, x, x, x, x, l, l, l);
	printf(" sqrt %.17g sin %.17g cos %.17g tan %.17g atan2 %.17g\n", sqrt(fabs(x)), sin(x), cos(x), tan(x), atan2(x, 0.7));
	printf(" exp %.17g log %.17g pow %.17g fmod %.17g\n", exp(x / 1000), log(fabs(x)), pow(fabs(x), 0.37), fmod(x, 0.3));
	printf(" floor %.17g ceil %.17g round %.17g rint %.17g trunc %.17g\n", floor(x), ceil(x), round(x), rint(x), trunc(x));
	printf(" sinl %.20Lg expl %.20Lg logl %.20Lg powl %.20Lg\n", sinl(l), expl(l / 1000), logl(fabsl(l)), powl(fabsl(l), 0.37L));
	printf(" exp2 %.17g log2 %.17g log10 %.17g expm1 %.17g log1p %.17g cbrt %.17g hypot %.17g\n", exp2(x / 1000), log2(fabs(x)), log10(fabs(x)), expm1(x / 1000), log1p(fabs(x)), cbrt(x), hypot(x, 1.5));
	printf(" asin %.17g acos %.17g atan %.17g sinh %.17g tanh %.17g\n", asin(x / (1 + fabs(x))), acos(x / (1 + fabs(x))), atan(x), sinh(x / 1000), tanh(x));
	float f = (float)x;
	printf(" float %.9g %a sqrtf %.9g sinf %.9g expf %.9g logf %.9g\n", f, f, sqrtf(fabsf(f)), sinf(f), expf(f / 1000), logf(fabsf(f)));
}

int main(void)
{
	unsigned i;
	for (i = 0; i < N; i++)
		show(vals[i]);
	for (i = 0; i < 300; i++)
		show(rnd());
	printf("%.3f %.0f %.30f %10.4e %-12.5g| %+f\n", 2.0005, 0.5, 0.1, 12345.6789, 1e-7, 3.0);
	return 0;
}
